#!/usr/bin/env bash
# Builds and runs the JMH benchmarks. Arguments go to JMH, e.g. `bench/run.sh ClassifierBenchmark -f 1`.
# Results belong in docs/benchmarks.md together with the command that produced them.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$root/mvnw" -q -B -DskipTests -pl bench -am package >&2
natives="-onednn-avx2"
grep -qw avx2 /proc/cpuinfo 2>/dev/null || natives=""
exec java -Xmx4g -Djava.awt.headless=true -Dorg.bytedeco.javacpp.platform.extension="$natives" \
  -Dorg.slf4j.simpleLogger.defaultLogLevel=warn \
  -cp "$root/bench/target/fedgan-bench.jar:$root/bench/target/lib/*" org.openjdk.jmh.Main \
  -jvmArgsAppend "-Dorg.bytedeco.javacpp.platform.extension=$natives -Dorg.slf4j.simpleLogger.defaultLogLevel=warn -Djava.awt.headless=true" "$@"
