#!/usr/bin/env bash
# End-to-end benchmark of the Tinybird sink (docs/performance.md). Takes 6-10 minutes with the
# defaults (the six warm-up rounds about 1.5 of them); options are --name=value, e.g.
#   bench/run.sh --sections=throughput --events=500000 --reps=5
# Writes target/bench/results.md, target/bench/results.csv and docs/performance-tuning.png.
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh
bench_exec io.github.flinktinybird.bench.Bench "$@"
