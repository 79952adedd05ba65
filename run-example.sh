#!/usr/bin/env bash
# Runs the example job (examples/): web-analytics events streamed into Tinybird by the connector.
#
#   ./run-example.sh                                  # embedded: local Flink + in-process Events API
#   TINYBIRD_TOKEN=p.xxx TINYBIRD_ENDPOINT=https://api.us-east.tinybird.co ./run-example.sh
#   ./run-example.sh -Dexample.events=1000000 -Dsink.batch.max-size=5000
#
# Arguments are Flink configuration keys (-Dkey=value), the same keys `flink run -D` takes.
# Needs Java 17+ and Maven 3.8+.
set -euo pipefail
cd "$(dirname "$0")"

for arg in "$@"; do
    if [[ "$arg" =~ [[:space:]] ]]; then
        echo "run-example.sh: arguments cannot contain spaces: '$arg'" >&2
        exit 2
    fi
done

echo "Building and installing the connector, the SQL jar and the emulator (the first run downloads dependencies: a few minutes)..."
mvn -B -q -Dstyle.color=never install -DskipTests

echo "Building and starting the example job..."
mvn -B -q -Dstyle.color=never -f examples/pom.xml compile exec:exec -Dexample.args="$*"
