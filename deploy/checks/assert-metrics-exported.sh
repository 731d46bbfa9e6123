#!/usr/bin/env bash
# Asserts that every metric name in helm/fedgan/metrics-used.txt (what the dashboard and the alerts query) is
# exported by the running services. For an end-to-end test: run it while (or after) an experiment runs, with the
# /q/metrics URL of each service. Names that only appear after an event (a dead letter, an abandoned round, an
# experiment with a target ε) need that event first.
# Usage: deploy/checks/assert-metrics-exported.sh URL... (e.g. http://127.0.0.1:18081/q/metrics ...)
set -euo pipefail
cd "$(dirname "$0")/../.."
[ $# -gt 0 ] || { echo "usage: $0 METRICS_URL..." >&2; exit 2; }
exposition=$(mktemp); trap 'rm -f "$exposition"' EXIT
for url in "$@"; do
  curl -fsS --max-time 10 "$url" >> "$exposition" || { echo "cannot scrape $url" >&2; exit 1; }
done
missing=()
while read -r name; do
  [ -n "$name" ] || continue
  grep -qE "^${name}([{ ])" "$exposition" || missing+=("$name")
done < helm/fedgan/metrics-used.txt
total=$(grep -c . helm/fedgan/metrics-used.txt)
if [ ${#missing[@]} -gt 0 ]; then
  echo "metrics used by the dashboard or the alerts but not exported by $*:" >&2
  printf '  %s\n' "${missing[@]}" >&2
  exit 1
fi
echo "all $total metrics of helm/fedgan/metrics-used.txt are exported"
