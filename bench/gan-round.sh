#!/usr/bin/env bash
# Times DP-FedAvg-GAN rounds by phase with GFLOP/s against the Nd4j.gemm peak (GanRoundBenchmark).
# Usage: bench/gan-round.sh [rounds=2] [preset=reference]. Results: bench/results/gan-round.csv.
exec "$(dirname "${BASH_SOURCE[0]}")/run.sh" --main dev.fedgan.bench.GanRoundBenchmark "$@"
