#!/usr/bin/env bash
# The debugging workflow at a meaningful user-level epsilon on Fashion-MNIST (Debian's dataset-fashion-mnist):
# 60,000 training images as 3,000 users of about 20 images each, half of them with the inversion bug; the primary
# classifier trained on the 10,000 test images (data no user holds); `fedgan debug --private EPSILON` choosing the
# GANs' clients per round and noise. One run per seed (bug, partition and GAN seeds together); each is a row in
# bench/results/private-debug.csv, its output under bench/out/private-<epsilon>-<seed>/.
# Usage: bench/private-debug.sh [EPSILON [SEEDS...]] [-- FEDGAN_OPTIONS...]   (default: 10 1 2 3)
# e.g. bench/private-debug.sh 10 1 -- --fixed-clip   (options also name the output: private-10-1-fixed-clip)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source "$root/bench/scripts/fashion-mnist.sh" "$root/bench/results/private-debug.csv" \
  "date,recorded_in,target_epsilon,seed,users,epsilon,delta,selection_noise,low_size,high_size,clients_per_round,noise_multiplier,rounds,clip,low_mean_pixel,high_mean_pixel,margin,polarity_bound,low_classifier_score,high_classifier_score,low_fcd,high_fcd,inversion_found,seconds,command"
eps="${1:-10}"
shift || true
seeds=()
while [[ $# -gt 0 && "$1" != "--" ]]; do seeds+=("$1"); shift; done
[[ $# -gt 0 ]] && shift
extra=("$@")
[[ ${#seeds[@]} -gt 0 ]] || seeds=(1 2 3)
tag=""
[[ ${#extra[@]} -eq 0 ]] || tag="-$(echo "${extra[*]}" | tr -cs 'A-Za-z0-9.' '-' | sed 's/^-*//; s/-*$//')"
for s in "${seeds[@]}"; do
  out="$root/bench/out/private-$eps-$s$tag"
  cmd=(debug --private "$eps" --train-data "$data/t10k-images-idx3-ubyte.gz" --data "$data/train-images-idx3-ubyte.gz"
    --examples-per-writer 20 --partition-seed "$s" --bug-seed "$s" --gan-seed "$s" --images-every 20 --out "$out" ${extra[@]+"${extra[@]}"})
  echo "fedgan ${cmd[*]}" >&2
  start=$(date +%s)
  mkdir -p "$root/bench/out"
  "$root/fedgan" "${cmd[@]}" --json > "$out.json"
  python3 "$root/bench/scripts/private_debug_row.py" "$out.json" "$csv" "$commit" "$eps" "$s" "$(( $(date +%s) - start ))" \
    "fedgan ${cmd[*]#$root/}"
done
