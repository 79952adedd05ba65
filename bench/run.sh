#!/usr/bin/env bash
# End-to-end benchmark of the Tinybird sink (docs/performance.md). Takes 5-9 minutes with the
# defaults; options are --name=value, e.g.
#   bench/run.sh --sections=throughput --events=500000 --reps=5
# Writes target/bench/results.md, target/bench/results.csv and docs/performance-tuning.png.
set -euo pipefail
cd "$(dirname "$0")/.."

jvm=(
  -Xms2g -Xmx2g -XX:+UseG1GC
  -Dsun.net.httpserver.nodelay=true
  -Dlog4j.configurationFile=bench/log4j2-bench.properties
  --add-opens=java.base/java.lang=ALL-UNNAMED
  --add-opens=java.base/java.util=ALL-UNNAMED
  --add-opens=java.base/java.util.concurrent=ALL-UNNAMED
  --add-opens=java.base/java.lang.reflect=ALL-UNNAMED
  --add-opens=java.base/java.io=ALL-UNNAMED
  --add-opens=java.base/java.net=ALL-UNNAMED
  --add-opens=java.base/java.nio=ALL-UNNAMED
  --add-opens=java.base/java.time=ALL-UNNAMED
)
# Extra JVM options for the benchmark JVM, e.g. BENCH_JVM_OPTS=-XX:StartFlightRecording=filename=target/bench.jfr
read -r -a extra <<< "${BENCH_JVM_OPTS:-}"
jvm+=("${extra[@]}")

# The benchmarks module and what it depends on (the connector), from the reactor; exec:exec runs in
# that module only (the others skip it) with the repository's root as working directory, where
# target/bench and docs/ are.
exec mvn -B -q -ntp compile exec:exec \
  -pl flink-connector-tinybird-benchmarks -am \
  -Dexec.executable=java \
  -Dexec.classpathScope=compile \
  -Dexec.workingdir="$PWD" \
  -Dexec.args="${jvm[*]} -classpath %classpath io.github.flinktinybird.bench.Bench $*"
