#!/usr/bin/env bash
# Wrong-password flood: a legitimate reader's latency on the config API, quiet and then while
# 32 clients send wrong passwords (bounded: --reads reads per phase, the flood stops with them).
# Builds the provision module's test classes, runs io.vrouter.provision.api.AuthFloodBenchmark
# and writes benchmarks/results/auth-flood.md. Extra arguments go to the runner
# (--reads N, --flooders N).
set -euo pipefail
source "$(dirname "$0")/../lib/provision-classpath.sh"
exec timeout 300 java -Xmx512m -Dlogback.configurationFile="$root/benchmarks/propagation/logback.xml" \
  -cp "$cp" io.vrouter.provision.api.AuthFloodBenchmark --out "$root/benchmarks/results/auth-flood.md" "$@"
