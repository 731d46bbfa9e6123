#!/usr/bin/env bash
# The offline deployment checks (run by ./mvnw verify in module deploy/checks, before its fabric8 test):
#  1. helm lint --strict and helm template with each values set (default, gpu, minimal, in-cluster)
#  2. every rendered manifest against the kubernetes-models JSON schemas (core, Prometheus Operator, KEDA)
#  3. deploy/k8s and helm/fedgan/metrics-used.txt identical to a fresh generation; kustomize builds both overlays
#     and each equals the chart's render
#  4. the Grafana dashboard type-checked with tsc against @grafana/schema's Dashboard
#  5. promtool: the rendered alert rules, every dashboard expression (as recording rules), the alert unit tests
# Usage (from anywhere): deploy/checks/run-checks.sh [OUT_DIR]. Tools: deploy/checks/install-tools.sh.
set -euo pipefail
cd "$(dirname "$0")/../.."
. deploy/checks/lib/common.sh
OUT=${1:-$CHECKS_DIR/target/deploy-checks}
require_tools helm kubectl promtool node node_modules
rm -rf "$OUT" && mkdir -p "$OUT/rendered" "$OUT/rules" "$OUT/dashboard" "$OUT/generated"
start=$(date +%s%N)
step() { printf '[deploy checks] %-58s' "$1"; step_start=$(date +%s%N); }
ok() { echo "ok ($(( ($(date +%s%N) - step_start) / 1000000 )) ms)${1:+ $1}"; }
passed=0
pass() { ok "$@"; passed=$((passed + 1)); }

# 1. lint and render
for set in "${VALUE_SETS[@]}"; do
  name=${set%%|*}; args=${set#*|}
  step "helm lint --strict ($name)"
  # shellcheck disable=SC2086
  helm lint --strict --quiet "$CHART" --namespace fedgan $args > "$OUT/lint-$name.log" 2>&1 || { echo FAILED; cat "$OUT/lint-$name.log"; exit 1; }
  pass
  step "helm template ($name)"
  # shellcheck disable=SC2086
  render "$name" $args > "$OUT/rendered/chart-$name.yaml" 2> "$OUT/template-$name.log" || { echo FAILED; cat "$OUT/template-$name.log"; exit 1; }
  pass "$(grep -c '^kind:' "$OUT/rendered/chart-$name.yaml") manifests"
done

# 3. generated files up to date (before validation: the kustomize builds are validated too)
step "deploy/k8s identical to a fresh render of the chart"
generate_k8s "$OUT/generated/k8s" > /dev/null
cp "$CHECKS_DIR/k8s-README.md" "$OUT/generated/k8s/README.md"
if ! diff -r deploy/k8s "$OUT/generated/k8s" > "$OUT/k8s.diff"; then
  echo FAILED; head -40 "$OUT/k8s.diff"
  echo "deploy/k8s is out of date: run deploy/checks/update-generated.sh and commit the result"; exit 1
fi
pass
for overlay in cpu gpu; do
  step "kustomize build deploy/k8s/overlays/$overlay = chart render"
  kubectl kustomize "deploy/k8s/overlays/$overlay" > "$OUT/rendered/k8s-$overlay.yaml"
  args=(--skip-tests); [ "$overlay" = gpu ] && args+=(-f "$CHART/values-gpu.yaml")
  render "$overlay" "${args[@]}" > "$OUT/k8s-$overlay-helm.yaml"
  node -e '
    const fs = require("fs"), yaml = require(process.argv[1] + "/js-yaml");
    const norm = (f) => yaml.loadAll(fs.readFileSync(f, "utf8")).filter(Boolean)
      .map((d) => { d.metadata.namespace = d.metadata.namespace || "fedgan"; return JSON.stringify(d, Object.keys(flat(d)).sort()); }).sort();
    function flat(o, acc = {}) { if (o && typeof o === "object") for (const k of Object.keys(o)) { acc[k] = 1; flat(o[k], acc); } return acc; }
    const a = norm(process.argv[2]), b = norm(process.argv[3]);
    if (JSON.stringify(a) !== JSON.stringify(b)) { console.log("FAILED: kustomize output differs from helm template"); process.exit(1); }
  ' "$PWD/$NODE_MODULES" "$OUT/rendered/k8s-$overlay.yaml" "$OUT/k8s-$overlay-helm.yaml"
  pass
done
step "metrics-used.txt identical to a fresh extraction"
generate_metrics_used > "$OUT/metrics-used.txt"
if ! diff "$CHART/metrics-used.txt" "$OUT/metrics-used.txt" > "$OUT/metrics-used.diff"; then
  echo FAILED; cat "$OUT/metrics-used.diff"
  echo "helm/fedgan/metrics-used.txt is out of date: run deploy/checks/update-generated.sh and commit the result"; exit 1
fi
pass "$(wc -l < "$OUT/metrics-used.txt") names"

# 2. schemas
step "kubernetes-models schemas (every rendered manifest)"
node "$CHECKS_DIR/lib/validate-k8s.mjs" "$OUT"/rendered/*.yaml > "$OUT/validate.log" 2>&1 || { echo FAILED; cat "$OUT/validate.log"; exit 1; }
pass "$(tail -1 "$OUT/validate.log" | sed 's/kubernetes-models: //')"

# 4. dashboard
step "dashboard type-checked against @grafana/schema (tsc)"
node "$CHECKS_DIR/lib/monitoring.mjs" dashboard-ts "$CHART/dashboards/fedgan-rounds.json" "$OUT/dashboard"
ln -sfn "$PWD/$NODE_MODULES" "$OUT/dashboard/node_modules"
node "$NODE_MODULES/typescript/bin/tsc" -p "$OUT/dashboard/tsconfig.json" > "$OUT/tsc.log" 2>&1 || { echo FAILED; head -40 "$OUT/tsc.log"; exit 1; }
pass

# 5. promtool
step "promtool check rules (rendered PrometheusRule)"
node "$CHECKS_DIR/lib/monitoring.mjs" prometheus-rules "$OUT/rendered/chart-default.yaml" "$OUT/rules/fedgan-rules.yaml"
promtool check rules "$OUT/rules/fedgan-rules.yaml" > "$OUT/promtool-rules.log" 2>&1 || { echo FAILED; cat "$OUT/promtool-rules.log"; exit 1; }
pass "$(grep -o 'SUCCESS: [0-9]* rules found' "$OUT/promtool-rules.log")"
step "promtool check rules (every dashboard expression)"
node "$CHECKS_DIR/lib/monitoring.mjs" dashboard-rules "$CHART/dashboards/fedgan-rounds.json" "$OUT/rules/dashboard-rules.yaml" > /dev/null
promtool check rules "$OUT/rules/dashboard-rules.yaml" > "$OUT/promtool-dashboard.log" 2>&1 || { echo FAILED; cat "$OUT/promtool-dashboard.log"; exit 1; }
pass "$(grep -o 'SUCCESS: [0-9]* rules found' "$OUT/promtool-dashboard.log")"
step "promtool test rules (alert unit tests)"
cp "$CHECKS_DIR/promtool/alerts-test.yaml" "$OUT/rules/"
(cd "$OUT/rules" && promtool test rules alerts-test.yaml) > "$OUT/promtool-test.log" 2>&1 || { echo FAILED; cat "$OUT/promtool-test.log"; exit 1; }
pass

echo "[deploy checks] $passed passed, 0 failed in $(( ($(date +%s%N) - start) / 1000000 )) ms (output: $OUT)"
