#!/usr/bin/env bash
# JMH microbenchmarks (docs/performance.md): element -> NDJSON line, batch -> request body (gzip
# on and off), the response classifier; with -prof gc for bytes allocated per operation.
# Arguments go to JMH, e.g. bench/jmh.sh RequestBody -f 1 -wi 2 -i 3
set -euo pipefail
cd "$(dirname "$0")/.."
args="${*:--prof gc}"
case " $args " in *" -prof "*) ;; *) args="$args -prof gc" ;; esac

# As bench/run.sh: the benchmarks module (and the connector) from the reactor, run from the root,
# where JMH writes target/jmh-result.json.
mkdir -p target
exec mvn -B -q -ntp -Pjmh compile exec:exec \
  -pl flink-connector-tinybird-benchmarks -am \
  -Dexec.executable=java \
  -Dexec.classpathScope=compile \
  -Dexec.workingdir="$PWD" \
  -Dexec.args="-Xmx2g -classpath %classpath org.openjdk.jmh.Main -rf json -rff target/jmh-result.json $args"
