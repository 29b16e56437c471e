#!/usr/bin/env bash
# Node-scale benchmark (issue 11 item 3): what N plugged ports cost the agent, and whether one
# guest among them is still served quickly.
#
# For each N in SIZES and each build (this tree; BASELINE_REF, built from `git archive`, when
# set), in one run:
#   1. the agent starts, compute-node style (its own vhost, metadata proxy, userspace dataplane,
#      port IPC), against the nova metadata stand-in on 127.0.0.1:NOVA_PORT;
#   2. N idle dummy guests are plugged through port IPC (the bodies vrouter-port-control sends,
#      30 per POST: the body limit is 16 KiB). Idle guests are veth pairs with NO namespace
#      (both ends in the root namespace, up, IPv6 off): they send nothing, which is all an idle
#      port is; the agent captures on one end as on a tap;
#   3. once the dataplane reports all N attached: the agent's threads (/proc/PID/task), its RSS
#      as it is, the packet rings' share of it (/proc/PID/smaps, socket mappings), then its RSS
#      after a full GC (jcmd GC.run; also done before plugging, for the baseline of that figure):
#      "retained" per port, without the garbage that parsing port-IPC requests and answering the
#      script's /stats polls left in the heap;
#   4. one more guest, in a network namespace (the only one: it must run curl and wrk), is
#      plugged last, its neighbour cache flushed first (a fresh VM's first ARP is part of it);
#      plug-to-first-answer = from just before its POST /port until the first curl from the
#      guest gets its own uuid back in openstack/latest/meta_data.json (curl retried at once on
#      failure; each try includes starting curl, ~5 ms). Where that time goes: the POST's own
#      time (curl), the agent's "answering ... ms after its event" log line for that port, and
#      the guest's ARP requests until the first answer (an AF_PACKET watcher in the guest): 1
#      means its first ARP was answered, more that it was lost and retransmitted (1 s each);
#   5. wrk in that guest (1 thread, 1 keep-alive connection, DURATION s) gives its metadata p99.
# The agent's /proc/PID/smaps is saved in the run directory after the GC before plugging
# (smaps-0-gc.txt), at N ports (smaps.txt) and after the GC there (smaps-gc.txt), to tell which
# mappings grew. NMT=1 also runs the agent of this tree with -XX:NativeMemoryTracking=summary and
# saves, at N ports, jcmd's VM.native_memory summary and GC.class_histogram (accounting runs:
# NMT itself costs memory, so not for the reported figures).
# Writes benchmarks/results/scale.md (and the raw table in the run directory).
#
# Env: SIZES ("10 100 1000"), BASELINE_REF (e.g. main; empty: no baseline), BASELINE_SIZES
#      (sizes for the baseline, default SIZES), DURATION (wrk seconds, 10), SKIP_BUILD=1,
#      OUT (report path), PLUG_TIMEOUT (s to wait for N ports attached, 600).
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
NOVA_PORT=${NOVA_PORT:-8775}

. benchmarks/lib.sh
need_root_and_lock scalebench "veth pairs, namespaces, packet capture"
log() { echo "scalebench: $*" >&2; }
die() { log "$*"; exit 1; }
install_missing wrk:wrk curl:curl
command -v jcmd >/dev/null || die "jcmd (the JDK's) is needed for the after-GC figures"

DIR=$(mktemp -d /tmp/scalebench.XXXXXX)
TAG=$(( $$ % 10000 ))
IDLE_PREFIX=nsb$TAG-
GUEST_NS=nsbm$TAG
GUEST_IF=nsbm$TAG
VHOST=nsv$TAG
MAX=0
for n in $SIZES $BASELINE_SIZES; do [ "$n" -gt "$MAX" ] && MAX=$n; done
NOVA_PID= AGENT_PID=

cleanup() {
  set +e
  [ -n "$AGENT_PID" ] && kill "$AGENT_PID" 2>/dev/null && wait "$AGENT_PID" 2>/dev/null
  [ -n "$NOVA_PID" ] && kill "$NOVA_PID" 2>/dev/null && wait "$NOVA_PID" 2>/dev/null
  for i in $(seq 1 "$MAX"); do echo "link del ${IDLE_PREFIX}${i}p"; done | ip -force -batch - 2>/dev/null
  ip netns del "$GUEST_NS" 2>/dev/null
  ip link del "$GUEST_IF" 2>/dev/null
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
MEASURED_UUID=6e1a1c51-7a1e-4c4e-9a51-0000000005ca
MEASURED_PROJECT=5b3d0f5e-9d27-4b2a-8a43-00000000005c # nova keeps Keystone's id without dashes
echo "[{\"uuid\": \"$MEASURED_UUID\", \"project_id\": \"${MEASURED_PROJECT//-/}\", \"hostname\": \"measured\"}]" \
  > "$DIR/instances.json"
java -cp "linklocal/target/test-classes:linklocal/target/classes:vrouter-agent/target/lib/*" \
  io.vrouter.linklocal.novastandin.NovaMetadataStandInMain --listen 127.0.0.1 --port "$NOVA_PORT" \
  --secret "$SECRET" --instances "$DIR/instances.json" >"$DIR/nova.log" 2>&1 &
NOVA_PID=$!

GUEST_MAC=02:00:0a:fa:00:02
ip netns add "$GUEST_NS"
ip link add "$GUEST_IF" type veth peer name eth0 netns "$GUEST_NS"
ip -n "$GUEST_NS" link set eth0 address "$GUEST_MAC" up
ip -n "$GUEST_NS" link set lo up
ip -n "$GUEST_NS" addr add 10.250.0.2/24 dev eth0
ip -n "$GUEST_NS" route add default via 10.250.0.1
ip netns exec "$GUEST_NS" ethtool -K eth0 tx off tso off gso off >/dev/null
sysctl -q -w "net.ipv6.conf.$GUEST_IF.disable_ipv6=1"
ip link set "$GUEST_IF" up

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
# The guest's ARP, watched from inside its namespace: creates $1 once it listens, then prints
# "requests<TAB>epoch ms of the first answer" once an ARP reply reaches the guest, or
# "requests<TAB>-" after 60 s.
arp_watch() {
  ip netns exec "$GUEST_NS" timeout 70 python3 - "$1" <<'PY'
import socket, struct, sys, time
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(3)) # ETH_P_ALL: the only way to see outgoing frames
s.bind(("eth0", 0))
s.settimeout(60)
open(sys.argv[1], "w").close()
requests = 0
try:
    while True:
        data, addr = s.recvfrom(2048)
        if len(data) < 22 or data[12:14] != b"\x08\x06":
            continue
        op = struct.unpack("!H", data[20:22])[0]
        if addr[2] == socket.PACKET_OUTGOING and op == 1:
            requests += 1
        elif addr[2] != socket.PACKET_OUTGOING and op == 2:
            print(f"{requests}\t{time.time() * 1000:.0f}")
            break
except socket.timeout:
    print(f"{requests}\t-")
PY
}

RESULTS=$DIR/results.tsv
echo -e "build\tports\tthreads\trss_mb\trss_per_port_kb\tretained_per_port_kb\tring_per_port_kb\tplug_to_answer_ms\tpost_ms\tanswering_ms\tarp_requests\tarp_answer_ms\tp50_ms\tp99_ms\trequests" > "$RESULTS"

run_point() { # build-name build-dir N
  local name=$1 tree=$2 n=$3
  IPC=$(free_port); INTROSPECT=$(free_port)
  local run=$DIR/$name-$n
  mkdir -p "$run/ports"
  write_ini "$run/agent.conf" "DEFAULT.http_server_port=$INTROSPECT" "DEFAULT.port_ipc_port=$IPC" \
    "DEFAULT.ports_dir=$run/ports" "VIRTUAL-HOST-INTERFACE.name=$VHOST" "VIRTUAL-HOST-INTERFACE.ip=198.18.0.1/24" \
    "METADATA.metadata_proxy_secret=$SECRET" "METADATA.metadata_proxy_port=8097" \
    "LINKLOCAL.cache_file=$run/linklocal-cache.json" "DATAPLANE.route_table=20002"
  local opts=""
  [ "${NMT:-0}" = 1 ] && [ "$name" = ours ] && opts="-XX:NativeMemoryTracking=summary"
  JAVA_OPTS="$opts" "$tree/vrouter-agent/bin/vrouter-agent" --config-file "$run/agent.conf" >"$run/agent.log" 2>&1 &
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
  local i batch=() sep body
  for i in $(seq 1 "$n"); do
    batch+=("$(port_json "$i" "${IDLE_PREFIX}${i}p" "10.$((i / 250)).$((i % 250 + 1)).3" \
      "$(printf '02:00:01:%02x:%02x:03' $((i / 256)) $((i % 256)))" "$(cat /proc/sys/kernel/random/uuid)" \
      5b3d0f5e-9d27-4b2a-8a43-0000000000aa)")
    if [ ${#batch[@]} -eq 30 ] || [ "$i" -eq "$n" ]; then
      body=$(IFS=,; echo "[${batch[*]}]")
      curl -sf --max-time 30 -X POST "http://127.0.0.1:$IPC/port" -H 'Content-Type: application/json' \
        -d "$body" >/dev/null || die "POST /port failed at port $i"
      batch=()
    fi
  done
  local deadline=$(( SECONDS + PLUG_TIMEOUT ))
  while [ "$(attached)" -lt "$n" ]; do
    [ $SECONDS -lt $deadline ] || die "$name: only $(attached) of $n ports attached after ${PLUG_TIMEOUT}s"
    sleep 1
  done
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
  # the measured guest, plugged last, with no neighbour entry left from an earlier point
  ip -n "$GUEST_NS" neigh flush dev eth0
  local t0 t1 got="" post arp answering body
  body=$(port_json 0 "$GUEST_IF" 10.250.0.2 "$GUEST_MAC" "$MEASURED_UUID" "$MEASURED_PROJECT")
  arp_watch "$run/arp.ready" >"$run/arp.txt" 2>&1 &
  local watch_pid=$!
  for _ in $(seq 1 100); do [ -e "$run/arp.ready" ] && break; sleep 0.1; done # listening before the plug
  t0=$(date +%s%N)
  post=$(curl -sf --max-time 10 -o /dev/null -w '%{time_total}' -X POST "http://127.0.0.1:$IPC/port" \
    -H 'Content-Type: application/json' -d "$body") || die "POST measured port failed"
  deadline=$(( SECONDS + 60 ))
  while [ "$got" != "$MEASURED_UUID" ]; do
    [ $SECONDS -lt $deadline ] || die "$name: the measured guest got no right answer within 60 s (last: '${got:0:80}')"
    got=$(ip netns exec "$GUEST_NS" curl -sf --max-time 1 http://169.254.169.254/openstack/latest/meta_data.json \
      | grep -o "$MEASURED_UUID" | head -n 1 || true)
  done
  t1=$(date +%s%N)
  wait "$watch_pid" 2>/dev/null || true
  arp=$(awk -F'\t' -v t0="$(( t0 / 1000000 ))" 'NF == 2 {printf "%s\t%s", $1, ($2 == "-" ? "-" : $2 - t0)}' "$run/arp.txt")
  [ -n "$arp" ] || arp=$'?\t?'
  answering=$(grep -F "($GUEST_IF) answering" "$run/agent.log" | sed -n 's/.* answering \([0-9]*\) ms.*/\1/p' | tail -n 1 || true)
  ip netns exec "$GUEST_NS" wrk -t1 -c1 -d"${DURATION}s" --latency \
    http://169.254.169.254/latest/meta-data/instance-id >"$run/wrk.txt" 2>&1
  local p50 p99 reqs
  p50=$(awk '$1=="50%" {print $2}' "$run/wrk.txt"); p99=$(awk '$1=="99%" {print $2}' "$run/wrk.txt")
  reqs=$(awk '/requests in/ {print $1}' "$run/wrk.txt")
  to_ms() { awk -v v="$1" 'BEGIN { if (v ~ /us$/) printf "%.2f", v/1000; else if (v ~ /ms$/) printf "%.2f", v+0; else if (v ~ /s$/) printf "%.2f", v*1000; else print "?" }'; }
  echo -e "$name\t$n\t$threads\t$((rss / 1024))\t$(( (rss - rss0) / n ))\t$(( (rssgc - rss0gc) / n ))\t$(( (ring - ring0) / n ))\t$(( (t1 - t0) / 1000000 ))\t$(awk -v s="$post" 'BEGIN {printf "%.0f", s * 1000}')\t${answering:--}\t$arp\t$(to_ms "$p50")\t$(to_ms "$p99")\t$reqs" \
    | tee -a "$RESULTS" >&2
  kill "$AGENT_PID"; wait "$AGENT_PID" 2>/dev/null || true; AGENT_PID=
  ip link del "$VHOST" 2>/dev/null || true
  sleep 1
}

for n in $SIZES; do
  run_point ours "$ROOT" "$n"
  if [ -n "$BASELINE_REF" ] && [[ " $BASELINE_SIZES " == *" $n "* ]]; then
    run_point before "$DIR/base" "$n"
  fi
done

{
  echo "# Node scale (benchmarks/scale/run.sh)"
  echo
  echo "Run of $(date -u '+%Y-%m-%d %H:%M UTC') on $(nproc) vCPUs (load average $(cut -d' ' -f1-3 /proc/loadavg)), commit $(git rev-parse --short HEAD)."
  [ -n "$BASELINE_REF" ] && echo "Baseline \`before\`: $BASELINE_REF ($BASELINE_SHA), measured in the same run at $BASELINE_SIZES ports."
  echo "Idle ports: veth pairs with no namespace (send nothing); the measured guest: a namespace, plugged last."
  echo "RSS per port: (RSS with N ports - RSS before plugging) / N, as it is; retained: the same, each RSS read after a full GC (jcmd GC.run)."
  echo "Ring: the AF_PACKET rings' resident KiB per port (smaps). POST: the measured port's POST /port; answering: the agent's log, port event to the"
  echo "dataplane answering it; ARP: requests the guest sent until the first answer (1: its first ARP was answered), and when that answer came (ms from the POST)."
  echo "p50/p99: wrk, 1 connection, ${DURATION} s, keep-alive."
  echo
  echo "| build | ports | threads | RSS MB | RSS per port KB | retained per port KB | ring per port KB | plug to first answer ms | POST ms | answering ms | ARP requests | ARP answer ms | p50 ms | p99 ms | requests |"
  echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
  tail -n +2 "$RESULTS" | awk -F'\t' '{printf "| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", $1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15}'
} > "$OUT"
log "wrote $OUT"
