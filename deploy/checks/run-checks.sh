#!/usr/bin/env bash
# The offline deployment checks (run by ./mvnw verify in module deploy/checks, before its fabric8 test):
#  1. helm lint --strict and helm template with each values set (default, gpu, minimal, in-cluster)
#  2. every rendered manifest against the kubernetes-models JSON schemas (core, Prometheus Operator, KEDA)
#  3. the Grafana dashboard type-checked with tsc against @grafana/schema's Dashboard
#  4. promtool: the rendered alert rules, every dashboard expression (as recording rules), the alert unit tests
#  5. deploy/k8s and helm/fedgan/metrics-used.txt identical to a fresh generation; kustomize builds both
#     overlays and each equals the chart's render
#  6. the chart refuses more aggregator replicas than shards, and round-shares partitioned unlike populations
# Every check runs even when an earlier one failed; the script exits non-zero if any failed.
# Usage (from anywhere): deploy/checks/run-checks.sh [OUT_DIR]. Tools: deploy/checks/install-tools.sh.
set -uo pipefail
cd "$(dirname "$0")/../.."
. deploy/checks/lib/common.sh
OUT=${1:-$CHECKS_DIR/target/deploy-checks}
require_tools helm kubectl promtool node node_modules
rm -rf "$OUT" && mkdir -p "$OUT/rendered" "$OUT/rules" "$OUT/dashboard" "$OUT/generated" "$OUT/logs"
start=$(date +%s%N)
passed=0 failed=0 failures=()
ms() { echo $(( ($(date +%s%N) - $1) / 1000000 )); }

# check NAME COMMAND...: runs COMMAND (a function below) with its output in logs/, prints ok or the log.
check() {
  local name=$1 log t0; shift
  log="$OUT/logs/$(echo "$name" | tr -c 'A-Za-z0-9\n' '_' | cut -c1-60).log"
  t0=$(date +%s%N)
  printf '[deploy checks] %-60s' "$name"
  if "$@" > "$log" 2>&1; then
    echo "ok ($(ms "$t0") ms) $(grep -v '^[[:space:]]*$' "$log" | tail -1 | cut -c1-90)"
    passed=$((passed + 1))
  else
    echo "FAILED ($(ms "$t0") ms)"
    sed 's/^/    /' "$log" | head -40
    failed=$((failed + 1)); failures+=("$name")
  fi
}

lint() { helm lint --strict "$CHART" --namespace fedgan "$@" && echo "lint clean"; }
template() { local name=$1; shift; render "$name" "$@" > "$OUT/rendered/chart-$name.yaml" && echo "$(grep -c '^kind:' "$OUT/rendered/chart-$name.yaml") manifests"; }
schemas() { node "$CHECKS_DIR/lib/validate-k8s.mjs" "$OUT"/rendered/*.yaml; }
dashboard_types() {
  node "$CHECKS_DIR/lib/monitoring.mjs" dashboard-ts "$CHART/dashboards/fedgan-rounds.json" "$OUT/dashboard" &&
  ln -sfn "$PWD/$NODE_MODULES" "$OUT/dashboard/node_modules" &&
  node "$NODE_MODULES/typescript/bin/tsc" -p "$OUT/dashboard/tsconfig.json" ||
    { echo "(line N of dashboard.check.ts is line N-2 of $CHART/dashboards/fedgan-rounds.json)"; return 1; }
  echo "Dashboard type ok"
}
alert_rules() {
  node "$CHECKS_DIR/lib/monitoring.mjs" prometheus-rules "$OUT/rendered/chart-default.yaml" "$OUT/rules/fedgan-rules.yaml" &&
  promtool check rules "$OUT/rules/fedgan-rules.yaml"
}
dashboard_promql() {
  node "$CHECKS_DIR/lib/monitoring.mjs" dashboard-rules "$CHART/dashboards/fedgan-rounds.json" "$OUT/rules/dashboard-rules.yaml" &&
  promtool check rules "$OUT/rules/dashboard-rules.yaml"
}
alert_tests() {
  [ -s "$OUT/rules/fedgan-rules.yaml" ] || { echo "no rendered rules (see the check above)"; return 1; }
  cp "$CHECKS_DIR/promtool/alerts-test.yaml" "$OUT/rules/" && (cd "$OUT/rules" && promtool test rules alerts-test.yaml)
}
k8s_up_to_date() {
  generate_k8s "$OUT/generated/k8s" && cp "$CHECKS_DIR/k8s-README.md" "$OUT/generated/k8s/README.md" || return 1
  diff -r deploy/k8s "$OUT/generated/k8s" ||
    { echo "deploy/k8s is out of date: run deploy/checks/update-generated.sh and commit the result"; return 1; }
  echo "identical"
}
kustomize_equals_render() {
  local overlay=$1 args=(--skip-tests)
  [ "$overlay" = gpu ] && args+=(-f "$CHART/values-gpu.yaml")
  kubectl kustomize "deploy/k8s/overlays/$overlay" > "$OUT/rendered/k8s-$overlay.yaml" &&
  render "$overlay" "${args[@]}" > "$OUT/k8s-$overlay-helm.yaml" &&
  node "$CHECKS_DIR/lib/same-manifests.mjs" "$OUT/rendered/k8s-$overlay.yaml" "$OUT/k8s-$overlay-helm.yaml"
}
# refused SET MESSAGE: the chart must refuse to render with --set SET, saying MESSAGE.
refused() {
  local out
  if out=$(render refused --set "$1" 2>&1); then echo "rendered with $1"; return 1; fi
  grep -qF "$2" <<< "$out" || { echo "$out"; return 1; }
}
aggregator_sizing() {
  refused services.aggregator.replicas=5 "services.aggregator.replicas (5) exceeds the partitions of client-updates" &&
  refused autoscaling.keda.aggregator.enabled=true,autoscaling.keda.aggregator.maxReplicas=5 \
    "autoscaling.keda.aggregator.maxReplicas (5) exceeds the partitions of client-updates" &&
  refused kafka.topics.items.round-shares.partitions=2 "round-shares must have as many partitions as populations" &&
  echo "all three refused"
}
metrics_used_up_to_date() {
  generate_metrics_used > "$OUT/metrics-used.txt" || return 1
  diff "$CHART/metrics-used.txt" "$OUT/metrics-used.txt" ||
    { echo "helm/fedgan/metrics-used.txt is out of date: run deploy/checks/update-generated.sh and commit the result"; return 1; }
  echo "$(wc -l < "$OUT/metrics-used.txt") names"
}

for set in "${VALUE_SETS[@]}"; do
  name=${set%%|*}; read -r -a args <<< "${set#*|}"
  check "helm lint --strict ($name)" lint "${args[@]}"
  check "helm template ($name)" template "$name" "${args[@]}"
done
for overlay in cpu gpu; do
  check "kustomize build deploy/k8s/overlays/$overlay = chart render" kustomize_equals_render "$overlay"
done
check "kubernetes-models schemas (every rendered manifest)" schemas
check "dashboard type-checked against @grafana/schema (tsc)" dashboard_types
check "promtool check rules (rendered PrometheusRule)" alert_rules
check "promtool check rules (every dashboard expression)" dashboard_promql
check "promtool test rules (alert unit tests)" alert_tests
check "deploy/k8s identical to a fresh render of the chart" k8s_up_to_date
check "metrics-used.txt identical to a fresh extraction" metrics_used_up_to_date
check "chart refuses aggregators beyond the shards" aggregator_sizing

echo "[deploy checks] $passed checks passed, $failed failed in $(ms "$start") ms (output: $OUT)"
if [ "$failed" -gt 0 ]; then
  printf '[deploy checks] FAILED: %s\n' "${failures[@]}"
  exit 1
fi
