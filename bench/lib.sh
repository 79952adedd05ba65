# Shared by the bench/*.sh scripts: runs a main class of the benchmarks module in its own JVM, with
# the options every figure in docs/performance.md was measured with. Source it, then
#   bench_exec io.github.flinktinybird.bench.SomeBench "$@"
# Extra JVM options: BENCH_JVM_OPTS, e.g. BENCH_JVM_OPTS=-XX:StartFlightRecording=filename=target/bench.jfr
bench_exec() {
  local main=$1
  shift
  local jvm=(
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
  local extra
  read -r -a extra <<< "${BENCH_JVM_OPTS:-}"
  jvm+=("${extra[@]}")
  # The benchmarks module and what it depends on (the connector, the emulator), from the reactor;
  # exec:exec runs in that module only (the others skip it) with the repository's root as working
  # directory, where target/bench and docs/ are.
  exec mvn -B -q -ntp compile exec:exec \
    -pl flink-connector-tinybird-benchmarks -am \
    -Dexec.executable=java \
    -Dexec.classpathScope=compile \
    -Dexec.workingdir="$PWD" \
    -Dexec.args="${jvm[*]} -classpath %classpath $main $*"
}
