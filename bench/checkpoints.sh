#!/usr/bin/env bash
# Issue 11's measurement: events/s with checkpoints every second vs every 10 minutes, against an
# Events API emulator answering each wait=true request after a commit latency. Parallelism 2,
# the sink's defaults. Usage: bench/checkpoints.sh [latencyMs=1000] [secondsPerRun=30]
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh
bench_exec io.github.flinktinybird.bench.CheckpointBench "$@"
