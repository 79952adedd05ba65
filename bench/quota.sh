#!/usr/bin/env bash
# Issue 12's "Tinybird's conditions": goodput as a share of the quota bound, the share of 429s and
# the p99 request latency, over commit latency x quota x parallelism, the sink's defaults.
# Options are --name=value (defaults in brackets):
#   --latencies=200,1000,3000  --quotas=10,100  --parallelisms=1,2,4  --seconds=45
#   --flow-control=true  --max-inflight=default  --max-buffered-bytes=default  --out=target/bench/quota  --warmup-seconds=20  --supply=true
#   --checkpoint-ms=10000
#   --from-csv=<a CSV it wrote>: report and plot that again, running nothing
# QUOTA_TRACE=<prefix> writes every request of each measured window (arrival ms, status, rows,
# bytes) to <prefix>-<latency>-<quota>-<parallelism>.csv.
# A quota of 0 runs without one: what the source and the machine can supply.
# Writes <out>.md, <out>.csv and, with --plot=docs/performance-quota.png, the plot.
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh
bench_exec io.github.flinktinybird.bench.QuotaBench "$@"
