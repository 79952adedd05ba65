#!/usr/bin/env bash
# JMH microbenchmarks (docs/performance.md): element -> NDJSON line, batch -> request body (gzip
# on and off), the response classifier; with -prof gc for bytes allocated per operation.
# Arguments go to JMH, e.g. bench/jmh.sh RequestBody -f 1 -wi 2 -i 3; JMH_OUT names the JSON result file.
# bench/jmh.sh --cpu [rounds] [elements]: thread CPU time per element of the Jackson schema's
# variants instead (ConversionCpu), which the machine's other load disturbs less than JMH's times.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "${1:-}" = "--cpu" ]; then
  shift
  exec mvn -B -q -ntp -Pjmh test-compile exec:exec \
    -Dexec.executable=java \
    -Dexec.classpathScope=test \
    -Dexec.args="-Xmx2g -XX:+UseG1GC -classpath %classpath io.github.flinktinybird.serialize.ConversionCpu $*"
fi
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
  -Dexec.args="-Xmx2g -classpath %classpath org.openjdk.jmh.Main -rf json -rff ${JMH_OUT:-target/jmh-result.json} $args"
