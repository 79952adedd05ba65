#!/usr/bin/env bash
# Issue 12: goodput as a share of the quota bound under a request quota and a commit latency,
# parallelism 2, the sink's defaults. Usage: bench/quota.sh [latenciesMs=1000,3000] [seconds=40]
# [flowControl=true] [maxInFlight=default] [quota=10]
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
# The benchmarks module and what it depends on, from the reactor (see bench/run.sh).
exec mvn -B -q -ntp compile exec:exec \
  -pl flink-connector-tinybird-benchmarks -am \
  -Dexec.executable=java \
  -Dexec.classpathScope=compile \
  -Dexec.workingdir="$PWD" \
  -Dexec.args="${jvm[*]} -classpath %classpath io.github.flinktinybird.bench.QuotaBench $*"
