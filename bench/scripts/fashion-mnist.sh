# Sourced by the Fashion-MNIST benchmarks: where the data is (Debian's dataset-fashion-mnist), a refusal naming the
# package when it is missing, the results CSV with its header, and the commit the rows are recorded in.
# Usage: source bench/scripts/fashion-mnist.sh CSV HEADER   (sets data, csv, commit)
data=/usr/share/datasets/fashion-mnist
if [[ ! -f "$data/train-images-idx3-ubyte.gz" ]]; then
  echo "Fashion-MNIST not found under $data: apt-get install dataset-fashion-mnist" >&2
  exit 2
fi
csv="$1"
[[ -f "$csv" ]] || echo "$2" > "$csv"
commit="$(git -C "$(dirname "$csv")" rev-parse --short HEAD 2>/dev/null || echo unknown)"
