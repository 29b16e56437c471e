#!/usr/bin/env bash
# Propagation benchmark: time from a provision_linklocal write until N watch clients
# (N = 1, 100, 1000) see it. Builds the provision module's test classes, then runs
# io.vrouter.provision.cli.PropagationBenchmark and writes benchmarks/results/propagation.md.
# Extra arguments go to the runner, e.g. --subscribers 1,100 --rounds 3 --server fake|real.
set -euo pipefail
source "$(dirname "$0")/../lib/provision-classpath.sh"
ulimit -n 20000 2>/dev/null || true
exec java -Xmx1g -Dlogback.configurationFile="$root/benchmarks/propagation/logback.xml" \
  -cp "$cp" io.vrouter.provision.cli.PropagationBenchmark --out "$root/benchmarks/results/propagation.md" "$@"
