#!/usr/bin/env bash
# Round time through the services (aggregator + client-update JVMs over the dev stack's Kafka and S3) against the
# same rounds in one JVM (ServicesRoundBenchmark). Usage: bench/services-round.sh [rounds=4] [preset=reference]
# [replicas=1,2] [writer size=200, so that every client takes the paper's 6 critic steps] [warm-up rounds=1, left
# out of the means] [clients=40; otherwise that many writers, all in every round] [aggregator replicas=1 or 2]. Needs the packaged services: ./mvnw -DskipTests package. Results: bench/results/services-round.csv.
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
FEDGAN_HOME="$root" exec "$root/bench/run.sh" --main dev.fedgan.bench.ServicesRoundBenchmark "$@"
