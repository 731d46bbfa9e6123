#!/usr/bin/env bash
# Regenerates what the build checks is up to date: deploy/k8s (from the chart) and helm/fedgan/metrics-used.txt
# (from the dashboard and the alert rules). Run after changing the chart, then commit the result.
set -euo pipefail
cd "$(dirname "$0")/../.."
. deploy/checks/lib/common.sh
require_tools helm node node_modules
generate_k8s deploy/k8s
cp deploy/checks/k8s-README.md deploy/k8s/README.md
generate_metrics_used > "$CHART/metrics-used.txt"
echo "metrics-used.txt: $(wc -l < "$CHART/metrics-used.txt") metric names"
