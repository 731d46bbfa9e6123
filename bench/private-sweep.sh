#!/usr/bin/env bash
# The privacy–utility sweep of the private debugging on Fashion-MNIST: bench/private-debug.sh at each epsilon (seed
# 1; "inf" is the same plan without noise), then the figures from the runs' results: docs/private_sweep.png (epsilon
# against both GANs' mean pixel, classifier score and Fréchet classifier distance, the verdict at each point),
# docs/private_sweep_grids.png (both GANs' last grids at each epsilon) and bench/results/private-sweep.md (the table).
# A point whose result bench/out/private-<epsilon>-1.json exists is reused when REUSE=1.
# Usage: [REUSE=1] bench/private-sweep.sh [EPSILONS...]   (default: 1 3 10 inf)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
eps=("$@")
[[ ${#eps[@]} -gt 0 ]] || eps=(1 3 10 inf)
results=()
for e in "${eps[@]}"; do
  result="$root/bench/out/private-$e-1.json"
  if [[ "${REUSE:-0}" != 1 || ! -s "$result" ]]; then
    "$root/bench/private-debug.sh" "$e" 1
  fi
  results+=("$result")
done
"$root/bench/run.sh" --main dev.fedgan.bench.PrivateSweepFigures "$root/docs/private_sweep.png" \
  "$root/docs/private_sweep_grids.png" "$root/bench/results/private-sweep.md" "${results[@]}"
