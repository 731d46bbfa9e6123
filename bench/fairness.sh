#!/usr/bin/env bash
# The fairness sweep on Fashion-MNIST (Debian's dataset-fashion-mnist): `fedgan fairness` over the 13 majority shares,
# trained on the 60,000 training images and measured on the 10,000 test images, with a rare class or the inverted
# images as the minority. Its points go to bench/results/fairness-<name>.csv (points.csv with the commit and the
# command on every row), its chart to docs/fairness_<name>.png, the whole output to bench/out/fairness-<name>/.
# Usage: bench/fairness.sh NAME [FEDGAN_FAIRNESS_OPTIONS...]
#   e.g. bench/fairness.sh class8 --minority class:8 -z 0.8 --epochs 15   (Bagdasaryan et al.'s setting, scaled)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
name="${1:?usage: bench/fairness.sh NAME [OPTIONS...]}"
shift
out="$root/bench/out/fairness-$name"
source "$root/bench/scripts/fashion-mnist.sh" "$root/bench/results/fairness-$name.csv" \
  "date,recorded_in,share,setting,group,examples,accuracy,precision,recall,f1,positive_rate,mean_gradient_norm,share_over_clip,train_examples,minority_train_examples,noise_multiplier,epsilon,epsilon_improved,delta,seconds,command"
cmd=(fairness --data "$data/train-images-idx3-ubyte.gz" --test-data "$data/t10k-images-idx3-ubyte.gz" --out "$out" "$@")
echo "fedgan ${cmd[*]}" >&2
mkdir -p "$root/bench/out"
"$root/fedgan" "${cmd[@]}"
python3 - "$out/points.csv" "$csv" "$commit" "fedgan ${cmd[*]//$root\//}" <<'PY'
import datetime, sys
points, csv, commit, command = sys.argv[1:5]
with open(csv, "a") as f:
    for line in open(points).read().splitlines()[1:]:
        f.write(",".join([datetime.date.today().isoformat(), commit, line, '"' + command + '"']) + "\n")
PY
cp "$out/fairness.png" "$root/docs/fairness_$name.png"
