#!/usr/bin/env bash
# Builds the benchmarks and runs a QUICK JMH pass (a few minutes on 2 cores).
#
#   benchmarks/run-jmh.sh                    # every benchmark (io.vrouter.bench.*)
#   benchmarks/run-jmh.sh 'bench\.flow\.'    # only the flow-table benchmarks
#   benchmarks/run-jmh.sh 'bench\.packet\.' -p size=64   # extra arguments go to JMH
#
# Results: benchmarks/results/jmh-<UTC date>.json (JMH JSON, with -prof gc allocation figures).
# When flow benchmarks are selected, also benchmarks/results/flow-extra-<UTC date>.txt
# (bytes per flow entry, measured; paired thread-CPU-time ratios vs the HashMap baseline). Ratios against the baselines in the SAME run are what count:
# the absolute numbers depend on how busy the machine is.
set -euo pipefail
cd "$(dirname "$0")/.."

regex="${1:-io\.vrouter\.bench\.}"
[ $# -gt 0 ] && shift

mvn -B -q -ntp -pl benchmarks -am package -DskipTests

stamp="$(date -u +%Y%m%dT%H%M%SZ)"
mkdir -p benchmarks/results
json="benchmarks/results/jmh-${stamp}.json"

java -jar benchmarks/target/benchmarks.jar "$regex" \
  -f 1 -wi 2 -i 3 -w 1s -r 1s \
  -prof gc \
  -rf json -rff "$json" \
  "$@"
echo "JMH results: $json"

# Flow selection: also bytes per flow entry (measured) and the paired CPU-time ratios against
# the HashMap baseline, which stay meaningful when the machine is shared and busy.
if java -jar benchmarks/target/benchmarks.jar -l "$regex" | grep -q 'bench\.flow\.'; then
  extra="benchmarks/results/flow-extra-${stamp}.txt"
  {
    java -Xms2g -Xmx2g -cp benchmarks/target/benchmarks.jar io.vrouter.bench.flow.FlowMemory
    echo
    java -Xms3g -Xmx3g -cp benchmarks/target/benchmarks.jar io.vrouter.bench.flow.FlowRatio
  } | tee "$extra"
  echo "Flow memory and paired ratios: $extra"
fi
