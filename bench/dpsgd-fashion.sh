#!/usr/bin/env bash
# DP-SGD on full Fashion-MNIST (60,000 training, 10,000 test images; Debian's dataset-fashion-mnist) with the TF
# Privacy tutorial CNN (tanh), Tramèr & Boneh's end-to-end CNN settings: expected batch 2048, SGD lr 4, momentum
# 0.9, clip 0.1, 40 epochs, z chosen for each target epsilon (delta 1e-5, original conversion); then the
# non-private baseline of the same CNN. Each run is a row in bench/results/dpsgd-fashion.csv; the runs' outputs
# (model, epochs.csv, training.png) go to bench/out/.
# Usage: bench/dpsgd-fashion.sh [targets...]   (default: 3 1 8 nonprivate)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source "$root/bench/scripts/fashion-mnist.sh" "$root/bench/results/dpsgd-fashion.csv" \
  "date,recorded_in,target_epsilon,epsilon_original,epsilon_improved,delta,noise_multiplier,batch,epochs,steps,test_accuracy,train_seconds,command"
targets=("$@")
[[ ${#targets[@]} -gt 0 ]] || targets=(3 1 8 nonprivate)
for t in "${targets[@]}"; do
  out="$root/bench/out/fashion-$t"
  if [[ "$t" == nonprivate ]]; then
    args=(--non-private --batch 256 --epochs 20 --learning-rate 0.05 --momentum 0.9)
  else
    args=(--target-epsilon "$t" --delta 1e-5 --batch 2048 --epochs 40 --learning-rate 4 --momentum 0.9 --clip 0.1)
  fi
  cmd=(dpsgd train --data "$data/train-images-idx3-ubyte.gz" --test-data "$data/t10k-images-idx3-ubyte.gz"
    --model tutorial --activation tanh --physical-batch 1024 "${args[@]}" --out "$out")
  echo "fedgan ${cmd[*]}" >&2
  "$root/fedgan" "${cmd[@]}" --json > "$out.json"
  python3 "$root/bench/scripts/dpsgd_row.py" "$out.json" "$csv" "$commit" "$t" "fedgan ${cmd[*]#$root/}"
done
