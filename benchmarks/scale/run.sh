#!/usr/bin/env bash
# Node-scale benchmark (issue 11 item 3): what N plugged ports cost the agent, and whether one
# guest among them is still served quickly.
#
# For each N in SIZES and each build (this tree; BASELINE_REF, built from `git archive`, when
# set), in one run:
#   1. the agent starts, compute-node style (its own vhost, metadata proxy, userspace dataplane,
#      port IPC), against the nova metadata stand-in on 127.0.0.1:NOVA_PORT (warmed with 3 s of
#      signed requests straight to it when the run starts: nova is a long-running service);
#   2. N idle dummy guests are plugged through port IPC (the bodies vrouter-port-control sends,
#      30 per POST: the body limit is 16 KiB). Idle guests are veth pairs with NO namespace
#      (both ends in the root namespace, up, IPv6 off): they send nothing, which is all an idle
#      port is; the agent captures on one end as on a tap;
#   3. once the dataplane reports all N attached: the agent's threads (/proc/PID/task), its RSS
#      as it is, the packet rings' share of it (/proc/PID/smaps, socket mappings), then its RSS
#      after a full GC (jcmd GC.run; also done before plugging, for the baseline of that figure):
#      "retained" per port, without the garbage that parsing port-IPC requests and answering the
#      script's /stats polls left in the heap;
#   4. the measured plugs, on a warm agent, as on a node that already serves VMs: WARM_PLUGS guests
#      (namespaces) are plugged and served first, the first of them loaded with wrk for WARM_S s
#      (the agent's proxy path, its connections to nova and the nova stand-in JIT-compiled and
#      connected); then PLUGS more guests, one at a time, each plugged ONCE by plug_probe.py:
#      one process, already running when the clock starts (no process start-up measured), that
#      sends the POST /port (one port object, as vrouter-port-control builds it) and, inside the
#      guest's namespace, polls metadata once port IPC has answered (nova starts a VM after its
#      plug returns): a new connection every STAGGER_MS ms while none has answered, each allowed
#      2 s, until an answer is 200 with the guest's own uuid. Per plug, in ms from the POST: port
#      IPC answered, the agent's port event to answering and to isolated (its log, from the
#      event), the guest's first ARP answered (and how many it sent: 1 = none lost), the first
#      TCP connection up, the first right answer. Median and max over the PLUGS plugs; every
#      plug's row is kept (plugs.tsv, and the report);
#   5. wrk in the last measured guest (1 thread, 1 keep-alive connection, DURATION s): its p99.
# The agent's /proc/PID/smaps is saved in the run directory after the GC before plugging
# (smaps-0-gc.txt), at N ports (smaps.txt) and after the GC there (smaps-gc.txt), to tell which
# mappings grew. NMT=1 also runs the agent of this tree with -XX:NativeMemoryTracking=summary and
# saves, at N ports, jcmd's VM.native_memory summary and GC.class_histogram (accounting runs:
# NMT itself costs memory, so not for the reported figures).
# Writes benchmarks/results/scale.md (and the raw tables, results.tsv and plugs.tsv, in the run
# directory); that file holds one run per port mode: give the second run another OUT and merge.
#
# Env: SIZES ("10 100 1000"), BASELINE_REF (e.g. main; empty: no baseline), BASELINE_SIZES
#      (sizes for the baseline, default SIZES), DURATION (wrk seconds, 10), SKIP_BUILD=1,
#      OUT (report path), PLUG_TIMEOUT (s to wait for N ports attached, 600), PLUGS (measured
#      plugs per point, 5), WARM_PLUGS (2; 0 measures a COLD agent: the first measured plug is the
#      first guest the agent serves after its start; with PLUGS=1 and a size repeated in SIZES,
#      e.g. "10 10 10", one cold sample per agent start), WARM_S (wrk warm-up, 3), STAGGER_MS (10),
#      CONCURRENT (1: measured plugs one after the other; k: k guests plugged at the same moment,
#      as nova does in a boot storm, each group once the previous one is isolated),
#      PORT_MODE (exclusive | shared: [DATAPLANE] port_mode; in shared mode the taps are on no bridge, so
#      the guests reach 169.254.169.254 by an on-link route, as images with the metadata route do,
#      and the agent answers their ARP for it), AGENT_JAVA_OPTS (more JVM flags for every agent
#      started, e.g. -Xlog:class+load=info:file=/tmp/cl.txt:uptime to see what a first plug loads).
# Needs root (veths, namespaces, packet capture) and wrk. Everything it creates is removed on
# exit, also on failure or Ctrl-C. Bounded: every wait has a timeout.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
SIZES=${SIZES:-"10 100 1000"}
BASELINE_REF=${BASELINE_REF:-}
BASELINE_SIZES=${BASELINE_SIZES:-$SIZES}
DURATION=${DURATION:-10}
PLUG_TIMEOUT=${PLUG_TIMEOUT:-600}
OUT=${OUT:-$ROOT/benchmarks/results/scale.md}
PLUGS=${PLUGS:-5}
WARM_PLUGS=${WARM_PLUGS:-2}
WARM_S=${WARM_S:-3}
STAGGER_MS=${STAGGER_MS:-10}
CONCURRENT=${CONCURRENT:-1}
case $CONCURRENT in ''|*[!0-9]*|0) echo "CONCURRENT must be a whole number >= 1, not '$CONCURRENT'" >&2; exit 2 ;; esac
PORT_MODE=${PORT_MODE:-exclusive}
case $PORT_MODE in exclusive|shared) ;; *) echo "PORT_MODE must be exclusive or shared, not '$PORT_MODE'" >&2; exit 2 ;; esac
GUESTS=$(( WARM_PLUGS + PLUGS ))
NOVA_PORT=${NOVA_PORT:-8775}

. benchmarks/lib.sh
need_root_and_lock scalebench "veth pairs, namespaces, packet capture"
log() { echo "scalebench: $*" >&2; }
die() { log "$*"; exit 1; }
install_missing wrk:wrk curl:curl openssl:openssl
command -v jcmd >/dev/null || die "jcmd (the JDK's) is needed for the after-GC figures"

DIR=$(mktemp -d /tmp/scalebench.XXXXXX)
TAG=$(( $$ % 10000 ))
IDLE_PREFIX=nsb$TAG-
GUEST_PREFIX=nsbm$TAG- # guest j: namespace and host-side interface ${GUEST_PREFIX}j
VHOST=nsv$TAG
MAX=0
for n in $SIZES $BASELINE_SIZES; do [ "$n" -gt "$MAX" ] && MAX=$n; done
NOVA_PID= AGENT_PID=

cleanup() {
  set +e
  [ -n "$AGENT_PID" ] && kill "$AGENT_PID" 2>/dev/null && wait "$AGENT_PID" 2>/dev/null
  [ -n "$NOVA_PID" ] && kill "$NOVA_PID" 2>/dev/null && wait "$NOVA_PID" 2>/dev/null
  for i in $(seq 1 "$MAX"); do echo "link del ${IDLE_PREFIX}${i}p"; done | ip -force -batch - 2>/dev/null
  for j in $(seq 1 "$GUESTS"); do ip netns del "$GUEST_PREFIX$j" 2>/dev/null; ip link del "$GUEST_PREFIX$j" 2>/dev/null; done
  ip link del "$VHOST" 2>/dev/null
  rm -f "/run/vrouter-agent/$VHOST.lock"
  log "torn down (logs in $DIR)"
}
trap cleanup EXIT INT TERM

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# --- builds ----------------------------------------------------------------------------------
BUILDS=("ours:$ROOT")
if [ "${SKIP_BUILD:-0}" != 1 ]; then
  log "building this tree"
  mvn -B -q -ntp -o package -DskipTests >"$DIR/build-ours.log" 2>&1 || die "build failed: $DIR/build-ours.log"
fi
if [ -n "$BASELINE_REF" ]; then
  BASELINE_SHA=$(git rev-parse --short "$BASELINE_REF")
  mkdir -p "$DIR/base"
  git archive "$BASELINE_REF" | tar -x -C "$DIR/base"
  log "building $BASELINE_REF ($BASELINE_SHA)"
  (cd "$DIR/base" && mvn -B -q -ntp -o package -DskipTests) >"$DIR/build-base.log" 2>&1 \
    || die "baseline build failed: $DIR/build-base.log"
  BUILDS+=("before:$DIR/base")
fi

# --- nova stand-in and the measured guest ------------------------------------------------------
SECRET=$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')
GUEST_PROJECT=5b3d0f5e-9d27-4b2a-8a43-00000000005c # nova keeps Keystone's id without dashes
guest_uuid() { printf '6e1a1c51-7a1e-4c4e-9a51-%012d' "$1"; }
guest_mac() { printf '02:00:0a:fa:%02x:02' "$1"; }
{
  echo "["
  for j in $(seq 1 "$GUESTS"); do
    [ "$j" -gt 1 ] && echo ","
    echo "{\"uuid\": \"$(guest_uuid "$j")\", \"project_id\": \"${GUEST_PROJECT//-/}\", \"hostname\": \"guest$j\"}"
  done
  echo "]"
} > "$DIR/instances.json"
java -cp "linklocal/target/test-classes:linklocal/target/classes:vrouter-agent/target/lib/*" \
  io.vrouter.linklocal.novastandin.NovaMetadataStandInMain --listen 127.0.0.1 --port "$NOVA_PORT" \
  --secret "$SECRET" --instances "$DIR/instances.json" >"$DIR/nova.log" 2>&1 &
NOVA_PID=$!
# Real nova is a long-running, warm service: warm the stand-in (JIT, its connections' code) with
# signed requests straight to it, so that a cold AGENT's first plug measures the agent alone.
for _ in $(seq 1 100); do curl -s -o /dev/null --max-time 1 "http://127.0.0.1:$NOVA_PORT/" && break; sleep 0.2; done
WARM_UUID=$(guest_uuid 1)
wrk -t1 -c2 -d3s -H "X-Instance-ID: $WARM_UUID" -H "X-Tenant-ID: ${GUEST_PROJECT//-/}" -H "X-Forwarded-For: 10.250.1.2" \
  -H "X-Instance-ID-Signature: $(printf '%s' "$WARM_UUID" | openssl dgst -sha256 -hmac "$SECRET" -r | cut -d' ' -f1)" \
  "http://127.0.0.1:$NOVA_PORT/openstack/latest/meta_data.json" >"$DIR/wrk-nova-warm.txt" 2>&1 \
  || die "warming the nova stand-in failed: $DIR/wrk-nova-warm.txt"
grep -q 'requests in' "$DIR/wrk-nova-warm.txt" && ! grep -q 'Non-2xx' "$DIR/wrk-nova-warm.txt" \
  || die "the nova stand-in did not answer the warm-up with 200: $DIR/wrk-nova-warm.txt"

# Guest j: namespace and tap ${GUEST_PREFIX}j, 10.250.j.2/24, gateway 10.250.j.1 (the dataplane answers its ARP).
for j in $(seq 1 "$GUESTS"); do
  ns=$GUEST_PREFIX$j
  ip netns add "$ns"
  ip link add "$ns" type veth peer name eth0 netns "$ns"
  ip -n "$ns" link set eth0 address "$(guest_mac "$j")" up
  ip -n "$ns" link set lo up
  ip -n "$ns" addr add "10.250.$j.2/24" dev eth0
  ip -n "$ns" route add default via "10.250.$j.1"
  [ "$PORT_MODE" = shared ] && ip -n "$ns" route add 169.254.169.254/32 dev eth0
  ip netns exec "$ns" ethtool -K eth0 tx off tso off gso off >/dev/null
  sysctl -q -w "net.ipv6.conf.$ns.disable_ipv6=1"
  ip -n "$ns" link set eth0 up
  ip link set "$ns" up
done

log "creating $MAX idle veth pairs (no namespace)"
for i in $(seq 1 "$MAX"); do echo "link add ${IDLE_PREFIX}${i}p type veth peer name ${IDLE_PREFIX}${i}g"; done | ip -batch -
for i in $(seq 1 "$MAX"); do
  echo "net.ipv6.conf.${IDLE_PREFIX}${i}p.disable_ipv6=1"; echo "net.ipv6.conf.${IDLE_PREFIX}${i}g.disable_ipv6=1"
done | sysctl -q -p - >/dev/null 2>&1 || true
for i in $(seq 1 "$MAX"); do echo "link set ${IDLE_PREFIX}${i}p up"; echo "link set ${IDLE_PREFIX}${i}g up"; done | ip -batch -

port_json() { # index system-name ip mac instance project
  printf '{"id": "%s", "instance-id": "%s", "vn-id": "11111111-0000-4000-8000-%012d", "vm-project-id": "%s", "display-name": "g%s", "ip-address": "%s", "ip6-address": "", "type": 0, "system-name": "%s", "mac-address": "%s", "rx-vlan-id": -1, "tx-vlan-id": -1}' \
    "$(cat /proc/sys/kernel/random/uuid)" "$5" "$1" "$6" "$1" "$3" "$2" "$4"
}

attached() { curl -s --max-time 5 "http://127.0.0.1:$INTROSPECT/stats/dataplane" | grep -o '"portId"' | wc -l; }
rss_kb() { awk '/VmRSS/ {print $2}' "/proc/$1/status"; }
ring_kb() { # resident KiB of the packet rings (AF_PACKET mmaps show as socket:[inode])
  awk '/^[0-9a-f]+-[0-9a-f]+ / {ring = ($NF ~ /^socket:\[/)} ring && /^Rss:/ {kb += $2} END {print kb + 0}' "/proc/$1/smaps"
}
full_gc() { jcmd "$1" GC.run >/dev/null 2>&1 || log "jcmd GC.run failed for $1"; sleep 2; }

RESULTS=$DIR/results.tsv
echo -e "build\tports\tplug_all_s\tthreads\trss_mb\trss_per_port_kb\tretained_per_port_kb\tring_per_port_kb\tp50_ms\tp99_ms\trequests" > "$RESULTS"
PLUG_ROWS=$DIR/plugs.tsv
echo -e "build\tports\tkind\tguest\tpost_ms\tanswering_ms\tisolated_ms\tarp_requests\tarp_answer_ms\tconnected_ms\tanswer_ms\tattempts" > "$PLUG_ROWS"

# probe_plug RUN-DIR BUILD N KIND GUEST: plugs guest GUEST (its neighbour cache flushed: a fresh
# VM's first ARP is part of it) with plug_probe.py and appends its row to plugs.tsv. The agent's
# "answering ... ms after its event ... isolated at ... ms" line for the port is logged once it
# is isolated: waiting for it keeps the next plug from overlapping this one's isolation.
probe_plug() {
  local run=$1 name=$2 n=$3 kind=$4 j=$5 ns=$GUEST_PREFIX$5 out line="" times
  ip -n "$ns" neigh flush dev eth0
  port_json $(( 100000 + j )) "$ns" "10.250.$j.2" "$(guest_mac "$j")" "$(guest_uuid "$j")" "$GUEST_PROJECT" >"$run/port-$j.json"
  out=$(python3 "$ROOT/benchmarks/scale/plug_probe.py" --netns "$ns" --ipc-port "$IPC" --body-file "$run/port-$j.json" \
    --uuid "$(guest_uuid "$j")" --stagger-ms "$STAGGER_MS") || die "$name, $n ports, guest $j: ${out:-plug_probe.py failed}"
  echo "$kind $j $out" >>"$run/probes.txt"
  for _ in $(seq 1 100); do
    line=$(grep -F "($ns) answering" "$run/agent.log" | tail -n 1 || true)
    [ -n "$line" ] && break
    sleep 0.1
  done
  times=$(sed -n 's/.* answering \([0-9]*\) ms after its event.*isolated at \([0-9]*\) ms.*/\1\t\2/p' <<<"$line")
  [ -n "$times" ] || times=$'-\t-'
  python3 -c 'import json, sys; o = json.loads(sys.argv[1]); print("\t".join("-" if o.get(k) is None else str(o[k]) for k in
    ("post_ms", "arp_requests", "arp_answer_ms", "connected_ms", "answer_ms", "attempts")))' "$out" \
    | awk -F'\t' -v pre="$name\t$n\t$kind\t$j" -v t="$times" 'BEGIN {OFS = "\t"} {print pre, $1, t, $2, $3, $4, $5, $6}' \
    | tee -a "$PLUG_ROWS" >&2
}

run_point() { # build-name build-dir N
  local name=$1 tree=$2 n=$3
  LOAD_SEEN="$LOAD_SEEN $name/$n: $(cut -d' ' -f1 /proc/loadavg)"
  IPC=$(free_port); INTROSPECT=$(free_port)
  local run=$DIR/$name-$n k=1
  while [ -e "$run" ]; do k=$(( k + 1 )); run=$DIR/$name-$n-$k; done # a size repeated in SIZES: a fresh agent, fresh state
  mkdir -p "$run/ports"
  write_ini "$run/agent.conf" "DEFAULT.http_server_port=$INTROSPECT" "DEFAULT.port_ipc_port=$IPC" \
    "DEFAULT.ports_dir=$run/ports" "VIRTUAL-HOST-INTERFACE.name=$VHOST" "VIRTUAL-HOST-INTERFACE.ip=198.18.0.1/24" \
    "METADATA.metadata_proxy_secret=$SECRET" "METADATA.metadata_proxy_port=8097" \
    "LINKLOCAL.cache_file=$run/linklocal-cache.json" "DATAPLANE.route_table=20002" "DATAPLANE.port_mode=$PORT_MODE"
  local opts=""
  [ "${NMT:-0}" = 1 ] && [ "$name" = ours ] && opts="-XX:NativeMemoryTracking=summary"
  JAVA_OPTS="$opts ${AGENT_JAVA_OPTS:-}" "$tree/vrouter-agent/bin/vrouter-agent" --config-file "$run/agent.conf" >"$run/agent.log" 2>&1 &
  AGENT_PID=$!
  for _ in $(seq 1 300); do
    curl -s -o /dev/null --max-time 1 "http://127.0.0.1:$IPC/ports" && break
    kill -0 "$AGENT_PID" 2>/dev/null || die "agent exited: $run/agent.log"
    sleep 0.2
  done
  local rss0 rss0gc ring0
  rss0=$(rss_kb "$AGENT_PID")
  full_gc "$AGENT_PID"
  rss0gc=$(rss_kb "$AGENT_PID"); ring0=$(ring_kb "$AGENT_PID")
  cp "/proc/$AGENT_PID/smaps" "$run/smaps-0-gc.txt"
  log "$name, $n ports: plugging"
  local i batch=() bodies=() body t_plug0
  for i in $(seq 1 "$n"); do # the bodies first: the time to attach all counts from the first POST
    batch+=("$(port_json "$i" "${IDLE_PREFIX}${i}p" "10.$((i / 250)).$((i % 250 + 1)).3" \
      "$(printf '02:00:01:%02x:%02x:03' $((i / 256)) $((i % 256)))" "$(cat /proc/sys/kernel/random/uuid)" \
      5b3d0f5e-9d27-4b2a-8a43-0000000000aa)")
    if [ ${#batch[@]} -eq 30 ] || [ "$i" -eq "$n" ]; then
      bodies+=("$(IFS=,; echo "[${batch[*]}]")")
      batch=()
    fi
  done
  t_plug0=$(date +%s%3N)
  for body in "${bodies[@]}"; do
    curl -sf --max-time 30 -X POST "http://127.0.0.1:$IPC/port" -H 'Content-Type: application/json' \
      -d "$body" >/dev/null || die "POST /port failed"
  done
  # all N answering (the dataplane's port table), then all N isolated (the agent logs each port once isolated)
  local deadline=$(( SECONDS + PLUG_TIMEOUT ))
  while [ "$(attached)" -lt "$n" ]; do
    [ $SECONDS -lt $deadline ] || die "$name: only $(attached) of $n ports attached after ${PLUG_TIMEOUT}s"
    sleep 0.2
  done
  while [ "$(grep -F ") answering " "$run/agent.log" | grep -c -F "($IDLE_PREFIX")" -lt "$n" ]; do
    [ $SECONDS -lt $deadline ] || die "$name: not all $n ports isolated after ${PLUG_TIMEOUT}s"
    sleep 0.2
  done
  local last_iso plug_all_s
  last_iso=$(grep -F ") answering " "$run/agent.log" | grep -F "($IDLE_PREFIX" | tail -n 1 | cut -d' ' -f1)
  plug_all_s=$(awk -v a="$(date -d "$last_iso" +%s%3N)" -v b="$t_plug0" 'BEGIN {printf "%.1f", (a - b) / 1000}')
  sleep 2
  local threads rss rssgc ring
  threads=$(ls "/proc/$AGENT_PID/task" | wc -l)
  rss=$(rss_kb "$AGENT_PID"); ring=$(ring_kb "$AGENT_PID")
  if [ "${NMT:-0}" = 1 ] && [ "$name" = ours ]; then
    jcmd "$AGENT_PID" VM.native_memory summary >"$run/nmt.txt" 2>&1 || true
    jcmd "$AGENT_PID" GC.class_histogram >"$run/histogram.txt" 2>&1 || true
  fi
  cp "/proc/$AGENT_PID/smaps" "$run/smaps.txt"
  full_gc "$AGENT_PID"
  rssgc=$(rss_kb "$AGENT_PID")
  cp "/proc/$AGENT_PID/smaps" "$run/smaps-gc.txt"
  # warm: guests served (the first loaded with wrk) before the measured plugs
  local j
  for j in $(seq 1 "$WARM_PLUGS"); do
    probe_plug "$run" "$name" "$n" warm "$j"
    if [ "$j" -eq 1 ]; then
      ip netns exec "${GUEST_PREFIX}1" wrk -t1 -c1 -d"${WARM_S}s" \
        http://169.254.169.254/openstack/latest/meta_data.json >"$run/wrk-warm.txt" 2>&1
    fi
  done
  local group=()
  for j in $(seq $(( WARM_PLUGS + 1 )) "$GUESTS"); do
    if [ "$CONCURRENT" -le 1 ]; then
      probe_plug "$run" "$name" "$n" measured "$j"
      continue
    fi
    probe_plug "$run" "$name" "$n" "measured-$CONCURRENT" "$j" &
    group+=($!)
    if [ ${#group[@]} -eq "$CONCURRENT" ] || [ "$j" -eq "$GUESTS" ]; then
      for pid in "${group[@]}"; do wait "$pid" || die "$name, $n ports: a concurrent plug failed"; done
      group=()
    fi
  done
  ip netns exec "$GUEST_PREFIX$GUESTS" wrk -t1 -c1 -d"${DURATION}s" --latency \
    http://169.254.169.254/latest/meta-data/instance-id >"$run/wrk.txt" 2>&1
  local p50 p99 reqs
  p50=$(awk '$1=="50%" {print $2}' "$run/wrk.txt"); p99=$(awk '$1=="99%" {print $2}' "$run/wrk.txt")
  reqs=$(awk '/requests in/ {print $1}' "$run/wrk.txt")
  to_ms() { awk -v v="$1" 'BEGIN { if (v ~ /us$/) printf "%.2f", v/1000; else if (v ~ /ms$/) printf "%.2f", v+0; else if (v ~ /s$/) printf "%.2f", v*1000; else print "?" }'; }
  echo -e "$name\t$n\t$plug_all_s\t$threads\t$((rss / 1024))\t$(( (rss - rss0) / n ))\t$(( (rssgc - rss0gc) / n ))\t$(( (ring - ring0) / n ))\t$(to_ms "$p50")\t$(to_ms "$p99")\t$reqs" \
    | tee -a "$RESULTS" >&2
  kill "$AGENT_PID"; wait "$AGENT_PID" 2>/dev/null || true; AGENT_PID=
  ip link del "$VHOST" 2>/dev/null || true
  sleep 1
}

LOAD_SEEN="" # the 1-minute load average at the start of each point
for n in $SIZES; do
  run_point ours "$ROOT" "$n"
  if [ -n "$BASELINE_REF" ] && [[ " $BASELINE_SIZES " == *" $n "* ]]; then
    run_point before "$DIR/base" "$n"
  fi
done

LOAD=$(cut -d' ' -f1-3 /proc/loadavg)
{
  echo "# Node scale (benchmarks/scale/run.sh)"
  echo
  echo "Run of $(date -u '+%Y-%m-%d %H:%M UTC') on $(nproc) vCPUs (load average at the end $LOAD; during the run: $LOAD_SEEN), commit $(git rev-parse --short HEAD)."
  [ -n "$BASELINE_REF" ] && echo "Baseline \`before\`: $BASELINE_REF ($BASELINE_SHA), measured in the same run at $BASELINE_SIZES ports."
  echo "Idle ports: veth pairs with no namespace (send nothing). Guests: namespaces; $([ "$WARM_PLUGS" -gt 0 ] \
    && echo "$WARM_PLUGS warm-up plug(s) (the first loaded with wrk ${WARM_S} s)" || echo "no warm-up plug (a cold agent: a fresh one per point)"),"
  echo "then $PLUGS measured plugs ($([ "$CONCURRENT" -le 1 ] && echo "one at a time" || echo "$CONCURRENT at the same moment")), each a fresh guest, by plug_probe.py: one running process sends the POST /port and, once it is answered,"
  echo "polls metadata from the guest (a new connection every ${STAGGER_MS} ms while none answered, each allowed 2 s)."
  echo "RSS per port: (RSS with N ports - RSS before plugging) / N, as it is; retained: the same, each RSS read after a full GC (jcmd GC.run)."
  echo "Port mode: $PORT_MODE. All N attached: from the first of the N/30 POST /port (30 ports each) until the agent logged the last of them isolated."
  echo "Ring: the AF_PACKET rings' resident KiB per port (smaps). Plug times in ms from the POST (median / max over the measured plugs):"
  echo "POST: port IPC answered; answering / isolated: the agent's log, from its port event; ARP: the guest's first ARP answered (requests:"
  echo "most ARP requests a guest sent before its answer, 1 = none lost); TCP: first connection up; answer: first 200 with the guest's uuid."
  echo "p50/p99: wrk in the last measured guest, 1 connection, ${DURATION} s, keep-alive."
  echo
  python3 - "$RESULTS" "$PLUG_ROWS" <<'PY'
import csv, statistics, sys
points = list(csv.DictReader(open(sys.argv[1]), delimiter="\t"))
plugs = list(csv.DictReader(open(sys.argv[2]), delimiter="\t"))
def nums(rows, k):
    return [float(r[k]) for r in rows if r[k] not in ("-", "")]
def mm(rows, k):
    v = nums(rows, k)
    return "-" if not v else f"{statistics.median(v):g} / {max(v):g}"
print("| build | ports | all N attached s | threads | RSS MB | RSS per port KB | retained per port KB | ring per port KB | plugs | first answer ms | POST ms"
      " | answering ms | isolated ms | ARP answer ms | ARP requests | TCP up ms | p50 ms | p99 ms | requests |")
print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
for p in points:
    m = [r for r in plugs if r["build"] == p["build"] and r["ports"] == p["ports"] and r["kind"].startswith("measured")]
    arp = nums(m, "arp_requests")
    print(f"| {p['build']} | {p['ports']} | {p['plug_all_s']} | {p['threads']} | {p['rss_mb']} | {p['rss_per_port_kb']} | {p['retained_per_port_kb']}"
          f" | {p['ring_per_port_kb']} | {len(m)} | **{mm(m, 'answer_ms')}** | {mm(m, 'post_ms')} | {mm(m, 'answering_ms')}"
          f" | {mm(m, 'isolated_ms')} | {mm(m, 'arp_answer_ms')} | {max(arp) if arp else '-':g} | {mm(m, 'connected_ms')}"
          f" | {p['p50_ms']} | {p['p99_ms']} | {p['requests']} |")
print()
print("Every plug (warm-up ones included, not in the medians):")
print()
print("| build | ports | kind | guest | POST ms | answering ms | isolated ms | ARP requests | ARP answer ms | TCP up ms | first answer ms | attempts |")
print("|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
for r in plugs:
    print("| " + " | ".join(r[k] for k in ("build", "ports", "kind", "guest", "post_ms", "answering_ms", "isolated_ms",
                                           "arp_requests", "arp_answer_ms", "connected_ms", "answer_ms", "attempts")) + " |")
PY
} > "$OUT"
log "wrote $OUT"
