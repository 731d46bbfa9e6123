#!/usr/bin/env bash
# The primary classifier's accuracy target: `fedgan classifier train` with its defaults (5 epochs, the last 2 at a
# tenth of the rate) on the bundled lab digits must reach >= 97% on the 4,000 held-out field digits. The tests train
# a cheaper 3-epoch model (TrainedClassifier); this checks the default. A row per run in
# bench/results/classifier-accuracy.csv; exit status 1 below the target.
# Usage: bench/classifier-accuracy.sh [extra `fedgan classifier train` options]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
csv="$root/bench/results/classifier-accuracy.csv"
out="$root/bench/out/classifier-accuracy"
rm -rf "$out"
start=$(date +%s)
json=$("$root/fedgan" classifier train --out "$out" --quiet --json "$@")
seconds=$(( $(date +%s) - start ))
acc=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["provenance"]["test_accuracy"])' "$json")
pass=$(python3 -c 'import sys; print("pass" if float(sys.argv[1]) >= 0.97 else "FAIL")' "$acc")
[[ -f "$csv" ]] || echo "date,recorded_in,test_accuracy,target,result,seconds,command" > "$csv"
echo "$(date +%F),$(git -C "$root" rev-parse --short HEAD),$acc,>= 0.97,$pass,$seconds,\"bench/classifier-accuracy.sh $*\"" >> "$csv"
echo "classifier: test accuracy $acc (target >= 0.97): $pass in $seconds s; row in $csv"
[[ "$pass" == pass ]]
