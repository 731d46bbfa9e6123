#!/usr/bin/env bash
# Builds and runs the benchmarks. Arguments go to JMH, e.g. `bench/run.sh ClassifierBenchmark -f 1`;
# `bench/run.sh --main CLASS ARGS...` runs a plain main class of the bench module instead.
# Each run is a row in bench/results/*.csv; docs/benchmarks.md has the commands and the current figures.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$root/mvnw" -q -B -DskipTests -pl bench -am package >&2
natives="-onednn-avx2"
grep -qw avx2 /proc/cpuinfo 2>/dev/null || natives=""
props=(-Djava.awt.headless=true -Dorg.bytedeco.javacpp.platform.extension="$natives"
  -Dorg.slf4j.simpleLogger.defaultLogLevel=warn)
cp="$root/bench/target/fedgan-bench.jar:$root/bench/target/lib/*"
if [[ "${1:-}" == "--main" ]]; then
  main="$2"; shift 2
  exec java -Xmx8g "${props[@]}" -cp "$cp" "$main" "$@"
fi
exec java -Xmx4g "${props[@]}" -cp "$cp" org.openjdk.jmh.Main -jvmArgsAppend "${props[*]}" "$@"
