#!/usr/bin/env bash
# The chaos suite (ChaosSuite): one seeded experiment on the packaged services over the dev stack (Kafka and S3 as
# two processes), undisturbed and then under faults (services SIGKILLed and restarted, Kafka and S3 outages,
# hostile records on every consumed topic), and the checks of docs/reliability.md. Usage: bench/chaos.sh
# [rounds=40] [outage seconds=30] [hostile records=1000]. Builds the packaged services first. Needs the dev stack's
# ports free. Results: bench/results/chaos.csv; exit status 1 if a check failed.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$root/mvnw" -q -B -DskipTests -Ddeploy.checks.skip package >&2
export FEDGAN_HOME="$root" FEDGAN_COMMIT="$(git -C "$root" rev-parse --short HEAD 2>/dev/null || true)"
exec "$root/bench/run.sh" --main dev.fedgan.bench.ChaosSuite "$@"
