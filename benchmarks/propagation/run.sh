#!/usr/bin/env bash
# Propagation benchmark: time from a provision_linklocal write until N watch clients
# (N = 1, 100, 1000) see it. Builds the provision module's test classes, then runs
# io.vrouter.provision.cli.PropagationBenchmark and writes benchmarks/results/propagation.md.
# Extra arguments go to the runner, e.g. --subscribers 1,100 --rounds 3 --server fake|real.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
# One reactor run compiles and lists the test classpath (the modules' own target dirs included).
mvn -B -q -ntp -pl provision -am test-compile dependency:build-classpath \
  -Dmdep.outputFile=target/bench-classpath.txt -Dmdep.includeScope=test
cp="$root/provision/target/test-classes:$root/provision/target/classes:$(cat "$root/provision/target/bench-classpath.txt")"
ulimit -n 20000 2>/dev/null || true
exec java -Xmx1g -Dlogback.configurationFile="$root/benchmarks/propagation/logback.xml" \
  -cp "$cp" io.vrouter.provision.cli.PropagationBenchmark --out "$root/benchmarks/results/propagation.md" "$@"
