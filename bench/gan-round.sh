#!/usr/bin/env bash
# Times DP-FedAvg-GAN rounds by phase with GFLOP/s against the Nd4j.gemm peak (GanRoundBenchmark).
# Usage: bench/gan-round.sh [rounds=2] [preset=reference]. Results belong in docs/benchmarks.md.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$root/mvnw" -q -B -DskipTests -pl bench -am package >&2
natives="-onednn-avx2"
grep -qw avx2 /proc/cpuinfo 2>/dev/null || natives=""
exec java -Xmx8g -Djava.awt.headless=true -Dorg.bytedeco.javacpp.platform.extension="$natives" \
  -Dorg.slf4j.simpleLogger.defaultLogLevel=warn \
  -cp "$root/bench/target/fedgan-bench.jar:$root/bench/target/lib/*" dev.fedgan.bench.GanRoundBenchmark "$@"
