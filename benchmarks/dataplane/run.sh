#!/usr/bin/env bash
# Dataplane benchmark: guests fetch http://169.254.169.254/latest/meta-data/instance-id
#   (ours)   through the agent's userspace dataplane: pcap capture on the guest's veth, flow
#            table (miss -> HOLD -> forward + reverse NAT flows), SNAT to the port's metadata IP
#            169.254.X.Y, DNAT to the metadata proxy on the vhost address, reply reverse-NAT'd;
#   (kernel) to the SAME proxy of the SAME agent through a kernel DNAT path, as neutron does:
#            a second veth per guest whose host end has an address in the root namespace, and
#            nftables  ip daddr 169.254.169.254 tcp dport 80 dnat to <vhost ip>:<proxy port>
#            plus an SNAT of the guest's fixed IP to the metadata IP the agent gave its port
#            (read back with GET /port/<uuid>), so the proxy identifies the guest from the
#            source address exactly as on our path; replies are un-NAT'd by conntrack and
#            routed back over the guest's veth.
# The proxy forwards to the nova stand-in (linklocal test sources, via NovaStandInForBench.java)
# on 127.0.0.1:8775.
#
# In one run, interleaved over ROUNDS rounds (the order of the two paths alternates), wrk runs
# inside every guest namespace at once (1 thread, CONNECTIONS connections per guest) for
# DURATION seconds per point, with keep-alive and with "Connection: close" (a new TCP
# connection, so a new flow pair on our path, per request). Every response body is checked
# against the guest's own instance-id (check.lua); curl checks every guest on both paths before
# and after. Latency percentiles come from the merged histograms of all guests' wrk processes.
# Per-thread CPU of the agent (from /proc) and the dataplane counters (introspect /stats) are
# recorded per point. Writes benchmarks/results/dataplane.md; logs stay in the run directory.
#
# Env: DURATION (s per point, 10), WARMUP (s per path, 5), ROUNDS (3), GUESTS ("1 4": guest
#      counts measured), CONNECTIONS (per guest, 4), MODES ("keepalive close"), PROFILE (1:
#      one extra JFR-profiled point per path and mode; 0: none), GUEST_OFFLOAD (on: guest veths
#      keep tx checksum/segmentation offload, like a virtio NIC; off: ethtool -K tx off tso off),
#      SKIP_BUILD=1 (use the existing build), OUT (report path), AGENT_JAVA_OPTS, PORT_MODE
#      (exclusive | shared: [DATAPLANE] port_mode; shared: the agent's capture has the kernel
#      filter that hands it only link-local frames, the tap a tc diversion instead of an nft drop,
#      and the guests reach 169.254.169.254 by an on-link route, the agent answering its ARP),
#      FAST_PATH (on | off: [DATAPLANE] kernel_fast_path; on: established flows are forwarded by
#      the agent's eBPF program in the kernel, handshakes and closes by the agent), NAPI_THREAD
#      (on | off: [DATAPLANE] vhost_napi_thread; on: the vhost's kernel end receives in its own
#      NAPI kernel thread, whose CPU the report shows beside the agent's).
# Needs root (namespaces, veths, nftables, packet capture); installs wrk with apt-get if missing.
# Everything it creates (namespaces, veths, the nft table, processes) is removed on exit, also
# on failure or Ctrl-C.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
HERE=$ROOT/benchmarks/dataplane
DURATION=${DURATION:-10}
WARMUP=${WARMUP:-5}
ROUNDS=${ROUNDS:-3}
GUESTS=${GUESTS:-"1 4"}
CONNECTIONS=${CONNECTIONS:-4}
MODES=${MODES:-"keepalive close"}
OUT=${OUT:-$ROOT/benchmarks/results/dataplane.md}
# KERNEL_ONLY=1: harness self-test for builds without a dataplane: the agent in proxy-only mode
# on a dummy vhost interface this script makes, and only the kernel path measured.
KERNEL_ONLY=${KERNEL_ONLY:-0}
PROFILE=${PROFILE:-1}
GUEST_OFFLOAD=${GUEST_OFFLOAD:-on}
PORT_MODE=${PORT_MODE:-exclusive}
case $PORT_MODE in exclusive|shared) ;; *) echo "PORT_MODE must be exclusive or shared, not '$PORT_MODE'" >&2; exit 2 ;; esac
FAST_PATH=${FAST_PATH:-on}
case $FAST_PATH in on) KERNEL_FAST_PATH=true ;; off) KERNEL_FAST_PATH=false ;;
  *) echo "FAST_PATH must be on or off, not '$FAST_PATH'" >&2; exit 2 ;; esac
NAPI_THREAD=${NAPI_THREAD:-on}
case $NAPI_THREAD in on) VHOST_NAPI_THREAD=true ;; off) VHOST_NAPI_THREAD=false ;;
  *) echo "NAPI_THREAD must be on or off, not '$NAPI_THREAD'" >&2; exit 2 ;; esac
PATHS="ours kernel"
[ "$KERNEL_ONLY" = 1 ] && { PATHS="kernel"; OUT=${OUT%.md}.kernel-only.md; }
NOVA_PORT=${NOVA_PORT:-8775}

log() { echo "dpbench: $*" >&2; }
die() { log "$*"; exit 1; }

[ "$(id -u)" -eq 0 ] || die "needs root (network namespaces, veth pairs, nftables, packet capture)"
exec 9>/run/lock/vrouter-dpbench.lock
flock -n 9 || die "another run of this benchmark holds /run/lock/vrouter-dpbench.lock"

. benchmarks/lib.sh
install_missing wrk:wrk nft:nftables jq:jq openssl:openssl
bash scripts/install-deps.sh >/dev/null
if [ "${SKIP_BUILD:-0}" != 1 ]; then
  log "building (mvn package -DskipTests) ..."
  mvn -B -q -ntp package -DskipTests
fi

MAXG=0
for g in $GUESTS; do [ "$g" -gt "$MAXG" ] && MAXG=$g; done
[ "$MAXG" -ge 1 ] && [ "$MAXG" -le 50 ] || die "GUESTS must be counts between 1 and 50: $GUESTS"

RUN=$(mktemp -d /tmp/dpbench.XXXXXX)
TAG=db$$                        # names of everything this run creates (<= 15 chars with suffixes)
VHOST=${TAG}vh
NFT_TABLE=${TAG}_kernel_path
SECRET=$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')
# vhost address: 198.18.0.0/15 is the benchmarking range (RFC 2544), never routed on this host;
# the link-local route goes to its own table, used only by traffic from that address, so other
# agents on the host are unaffected.
VHOST_IP=198.19.$((RANDOM % 250 + 1)).$((RANDOM % 250 + 1))
ROUTE_TABLE=$((20000 + RANDOM % 10000))
NOVA_PID= AGENT_PID=
NFT_ADDED=false
WRK_PIDS=()

cleanup() {
  local rc=$?
  set +e
  trap '' INT TERM              # a second Ctrl-C or timeout's TERM must not cut the teardown short
  for p in "${WRK_PIDS[@]}"; do kill "$p" 2>/dev/null; done
  $NFT_ADDED && nft delete table ip "$NFT_TABLE" 2>/dev/null
  if [ -n "$AGENT_PID" ]; then
    kill "$AGENT_PID" 2>/dev/null
    for _ in $(seq 1 100); do kill -0 "$AGENT_PID" 2>/dev/null || break; sleep 0.1; done
    if kill -9 "$AGENT_PID" 2>/dev/null; then     # it could not undo its host set-up itself
      t=$(sed -n 's/.*nft table netdev \([A-Za-z0-9_]*\) (re)created.*/\1/p' "$RUN/agent.log" | tail -1)
      [ -n "$t" ] && nft delete table netdev "$t" 2>/dev/null
    fi
    wait "$AGENT_PID" 2>/dev/null
  fi
  if [ -n "$NOVA_PID" ]; then
    kill "$NOVA_PID" 2>/dev/null
    for _ in $(seq 1 50); do kill -0 "$NOVA_PID" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$NOVA_PID" 2>/dev/null
    wait "$NOVA_PID" 2>/dev/null
  fi
  for i in $(seq 1 "$MAXG"); do
    ip netns del "${TAG}g$i" 2>/dev/null
    ip link del "${TAG}a$i" 2>/dev/null
    ip link del "${TAG}k$i" 2>/dev/null
  done
  ip link del "$VHOST" 2>/dev/null                        # only if the agent was killed -9
  ip rule del from "$VHOST_IP" lookup "$ROUTE_TABLE" 2>/dev/null
  log "torn down (exit $rc); logs in $RUN"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
port_free() { ! (exec 3<>/dev/tcp/127.0.0.1/"$1") 2>/dev/null; }
port_free "$NOVA_PORT" || { log "127.0.0.1:$NOVA_PORT is taken (another demo?); nova stand-in on a free port"; NOVA_PORT=$(free_port); }
INTROSPECT_PORT=$(free_port)
IPC_PORT=$(free_port)
PROXY_PORT=$(free_port)

# --- guests: name, fixed IP, instance uuid, project, hostname --------------------------------
declare -a G_NS G_IP G_UUID G_PROJECT G_PORT G_MDIP G_EXPECT
for i in $(seq 1 "$MAXG"); do
  G_NS[$i]=${TAG}g$i
  G_IP[$i]=10.251.0.$((10 + i))
  G_UUID[$i]=$(cat /proc/sys/kernel/random/uuid)
  G_PROJECT[$i]=$(cat /proc/sys/kernel/random/uuid)
  G_PORT[$i]=$(cat /proc/sys/kernel/random/uuid)
done

# --- nova stand-in ----------------------------------------------------------------------------
{
  echo "["
  for i in $(seq 1 "$MAXG"); do
    [ "$i" -gt 1 ] && echo ","
    printf '{"uuid": "%s", "project_id": "%s", "hostname": "bench-%d"}\n' \
      "${G_UUID[$i]}" "${G_PROJECT[$i]//-/}" "$i"
  done
  echo "]"
} > "$RUN/instances.json"
CP_NOVA="linklocal/target/test-classes:linklocal/target/classes:vrouter-agent/target/lib/*"
# NovaStandInForBench: the stand-in, minus its per-request record (which would not survive a benchmark)
java -Xms256m -Xmx256m -cp "$CP_NOVA" "$HERE/NovaStandInForBench.java" "$NOVA_PORT" "$SECRET" "$RUN/instances.json" \
  > "$RUN/nova-standin.log" 2>&1 9>&- &
NOVA_PID=$!

# --- the agent --------------------------------------------------------------------------------
cat > "$RUN/services.json" <<JSON
{"linklocal_service_entry": [{"linklocal_service_name": "metadata",
  "linklocal_service_ip": "169.254.169.254", "linklocal_service_port": 80,
  "ip_fabric_service_ip": ["127.0.0.1"], "ip_fabric_service_port": $NOVA_PORT}]}
JSON
cat > "$RUN/agent.conf" <<CONF
[DEFAULT]
http_server_port = $INTROSPECT_PORT
thrift_server_port = 0
port_ipc_port = $IPC_PORT
ports_dir = $RUN/ports

[VIRTUAL-HOST-INTERFACE]
name = $VHOST
# The fabric address: with the dataplane the proxy is on [DATAPLANE] internal_address instead
# (the agent never claims the fabric ip); proxy-only runs bind it here.
ip = $([ "$KERNEL_ONLY" = 1 ] && echo "$VHOST_IP/32" || echo "192.0.2.5/24")

[METADATA]
metadata_proxy_secret = $SECRET
metadata_proxy_port = $PROXY_PORT
# not throttled: the benchmark is one VM hammering the proxy
metadata_rate_limit = 0
metadata_rate_burst = 100000
metadata_max_connections = 10000

[FLOWS]
# not throttled either: in "close" mode every request is a new flow pair, far above a real
# guest's new-flow rate; the kernel path has no such guard
max_vm_flows = 100
max_system_linklocal_flows = 1048576
max_vm_linklocal_flows = 1048576
vm_new_flow_rate = 0

[LINKLOCAL]
services_file = $RUN/services.json
cache_file = $RUN/linklocal-cache.json

[DATAPLANE]
enabled = $([ "$KERNEL_ONLY" = 1 ] && echo false || echo true)
route_table = $ROUTE_TABLE
internal_address = $VHOST_IP
port_mode = $PORT_MODE
kernel_fast_path = $KERNEL_FAST_PATH
vhost_napi_thread = $VHOST_NAPI_THREAD
CONF
chmod 600 "$RUN/agent.conf"
if [ "$KERNEL_ONLY" = 1 ]; then
  ip link add "$VHOST" type veth peer name "${TAG}vx"   # no dummy module here
  ip addr add "$VHOST_IP/32" dev "$VHOST"
  ip link set "$VHOST" up
  ip route add 169.254.0.0/16 dev "$VHOST" src "$VHOST_IP" table "$ROUTE_TABLE"
  ip rule add from "$VHOST_IP" lookup "$ROUTE_TABLE" priority 1000
fi
JAVA_OPTS="${AGENT_JAVA_OPTS:--Xms256m -Xmx256m}" vrouter-agent/bin/vrouter-agent \
  --config-file "$RUN/agent.conf" > "$RUN/agent.log" 2>&1 9>&- &
AGENT_PID=$!

wait_for() { # url what
  for _ in $(seq 1 300); do
    curl -s -o /dev/null --max-time 1 "$1" && return 0
    kill -0 "$AGENT_PID" 2>/dev/null || { log "the agent exited; its log:"; tail -30 "$RUN/agent.log" >&2; exit 1; }
    kill -0 "$NOVA_PID" 2>/dev/null || { log "the nova stand-in exited:"; tail -30 "$RUN/nova-standin.log" >&2; exit 1; }
    sleep 0.2
  done
  die "$2 did not come up; see $RUN"
}
wait_for "http://127.0.0.1:$NOVA_PORT/" "nova stand-in"
wait_for "http://127.0.0.1:$IPC_PORT/ports" "agent port IPC"
wait_for "http://127.0.0.1:$INTROSPECT_PORT/stats" "agent introspect"
log "nova stand-in :$NOVA_PORT, agent pid $AGENT_PID (vhost $VHOST $VHOST_IP, proxy :$PROXY_PORT, IPC :$IPC_PORT)"

# What nova itself says each instance's instance-id is (the stand-in asked directly, signed).
for i in $(seq 1 "$MAXG"); do
  sig=$(printf %s "${G_UUID[$i]}" | openssl dgst -sha256 -hmac "$SECRET" | awk '{print $NF}')
  G_EXPECT[$i]=$(curl -sf --max-time 5 -H "X-Instance-ID: ${G_UUID[$i]}" \
    -H "X-Tenant-ID: ${G_PROJECT[$i]//-/}" -H "X-Instance-ID-Signature: $sig" \
    -H "X-Forwarded-For: ${G_IP[$i]}" "http://127.0.0.1:$NOVA_PORT/latest/meta-data/instance-id") \
    || die "nova stand-in did not answer instance-id for guest $i"
done
[ "$(printf '%s\n' "${G_EXPECT[@]:1}" | sort -u | wc -l)" -eq "$MAXG" ] || die "instance-ids are not distinct"

# --- guests: eth0 plugged into the agent, eth1 the kernel path --------------------------------
for i in $(seq 1 "$MAXG"); do
  ns=${G_NS[$i]} a=${TAG}a$i k=${TAG}k$i ip=${G_IP[$i]}
  mac=$(printf '02:00:00:%02x:%02x:%02x' $((RANDOM % 256)) $((RANDOM % 256)) "$i")
  ip netns add "$ns"
  ip -n "$ns" link set lo up
  # our path, as scripts/compute-node.sh: the host end is captured by the agent
  ip link add "$a" type veth peer name eth0 netns "$ns"
  ip -n "$ns" link set eth0 address "$mac" up
  ip -n "$ns" addr add "$ip/24" dev eth0
  ip -n "$ns" route add default via 10.251.0.1
  ip link set "$a" up
  # Guest NIC offloads: on by default, as a VM's virtio NIC (the dataplane completes partial
  # checksums); GUEST_OFFLOAD=off gives whole, checksummed frames as the netns tests use.
  [ "$GUEST_OFFLOAD" = off ] && ip netns exec "$ns" ethtool -K eth0 tx off tso off gso off >/dev/null
  # kernel path: host end 100.65.<i>.1/32 in the root namespace, guest IP routed back over it
  ip link add "$k" type veth peer name eth1 netns "$ns"
  ip -n "$ns" link set eth1 up
  [ "$GUEST_OFFLOAD" = off ] && ip netns exec "$ns" ethtool -K eth1 tx off tso off gso off >/dev/null
  ip addr add "100.65.$i.1/32" dev "$k"
  ip link set "$k" up
  ip route add "$ip/32" dev "$k" src "100.65.$i.1"
  curl -sf -X POST "http://127.0.0.1:$IPC_PORT/port" -H 'Content-Type: application/json' -d @- >/dev/null <<JSON \
    || die "port IPC refused guest $i"
{"id": "${G_PORT[$i]}", "instance-id": "${G_UUID[$i]}", "vn-id": "$(cat /proc/sys/kernel/random/uuid)",
 "vm-project-id": "${G_PROJECT[$i]}", "display-name": "bench-$i", "ip-address": "$ip", "ip6-address": "",
 "type": 0, "system-name": "$a", "mac-address": "$mac", "rx-vlan-id": -1, "tx-vlan-id": -1}
JSON
  G_MDIP[$i]=$(curl -sf "http://127.0.0.1:$IPC_PORT/port/${G_PORT[$i]}" | jq -r '."metadata-ip"')
  [[ "${G_MDIP[$i]}" == 169.254.* ]] || die "no metadata-ip for guest $i's port: ${G_MDIP[$i]}"
  log "guest $i: $ns $ip, port ${G_PORT[$i]} -> metadata IP ${G_MDIP[$i]}, instance-id ${G_EXPECT[$i]}"
done

# --- the kernel path's nftables table (neutron-style DNAT + SNAT to the metadata IP) ----------
{
  echo "table ip $NFT_TABLE {"
  echo "  chain prerouting { type nat hook prerouting priority -100; policy accept;"
  echo "    iifname \"${TAG}k*\" ip daddr 169.254.169.254 tcp dport 80 dnat to $VHOST_IP:$PROXY_PORT"
  echo "  }"
  echo "  chain input { type nat hook input priority 100; policy accept;"
  for i in $(seq 1 "$MAXG"); do
    echo "    iifname \"${TAG}k$i\" ip saddr ${G_IP[$i]} ip daddr $VHOST_IP tcp dport $PROXY_PORT snat to ${G_MDIP[$i]}"
  done
  echo "  }"
  echo "  chain output { type nat hook output priority -100; policy accept; }"
  echo "  chain postrouting { type nat hook postrouting priority 100; policy accept; }"
  echo "}"
} > "$RUN/kernel-path.nft"
nft -f "$RUN/kernel-path.nft"
NFT_ADDED=true

# Both paths reach the proxy from the same 169.254.X.Y, so a source port the last point used on
# the other path would meet its TIME_WAIT socket and conntrack entry (in the kernel path's
# entries our path's packets are the reply direction): each path gets its own ephemeral ports.
port_range() { [ "$1" = kernel ] && echo "40000 59999" || echo "20000 39999"; }
use_path() { # ours|kernel: where each guest's 169.254.169.254 goes, and its source ports
  for i in $(seq 1 "$MAXG"); do
    ip netns exec "${G_NS[$i]}" sysctl -q -w net.ipv4.ip_local_port_range="$(port_range "$1")"
    if [ "$1" = kernel ]; then
      ip -n "${G_NS[$i]}" route replace 169.254.169.254/32 via "100.65.$i.1" dev eth1 onlink src "${G_IP[$i]}"
    elif [ "$PORT_MODE" = shared ]; then # only link-local frames reach the agent: no gateway ARP
      ip -n "${G_NS[$i]}" route replace 169.254.169.254/32 dev eth0 src "${G_IP[$i]}"
    else
      ip -n "${G_NS[$i]}" route del 169.254.169.254/32 2>/dev/null || true
    fi
  done
}

check_all() { # when: every guest, both paths, gets its own instance-id
  local p i got bad=0
  for p in $PATHS; do
    use_path "$p"
    for i in $(seq 1 "$MAXG"); do
      got=$(ip netns exec "${G_NS[$i]}" curl -s --max-time 10 http://169.254.169.254/latest/meta-data/instance-id || true)
      if [ "$got" != "${G_EXPECT[$i]}" ]; then
        log "$1: guest $i via $p got '$got', expected '${G_EXPECT[$i]}'"
        bad=1
      fi
    done
  done
  if [ $bad -ne 0 ]; then
    [ "${DEBUG_PAUSE:-0}" -gt 0 ] && { log "pausing ${DEBUG_PAUSE}s for inspection (run dir $RUN)"; sleep "$DEBUG_PAUSE"; }
    die "correctness check ($1) failed"
  fi
  log "$1: every guest got its own instance-id on both paths"
  echo "$1: all $MAXG guests got their own instance-id on both paths" >> "$RUN/checks"
}
: > "$RUN/checks"
check_all before

# --- measuring --------------------------------------------------------------------------------
# CPU ticks per thread of a process: "<tid> <name> <utime+stime>"
thread_ticks() {
  local t
  for t in /proc/"$1"/task/*; do
    awk -v tid="${t##*/}" -v name="$(tr ' ' '_' < "$t/comm" 2>/dev/null)" \
      '{ sub(/^.*\) /, ""); print tid, name, $12 + $13 }' "$t/stat" 2>/dev/null || true
  done
}
HZ=$(getconf CLK_TCK)
cpu_busy_idle() { awk '$1 == "cpu" { print $2 + $3 + $4 + $7 + $8 + $9, $5 + $6; exit }' /proc/stat; }
proc_ticks() { awk '{ sub(/^.*\) /, ""); print $12 + $13 }' /proc/"$1"/stat 2>/dev/null || echo 0; }
# the vhost's NAPI kernel thread(s) (vhost_napi_thread): CPU ticks, summed; 0 without
napi_ticks() {
  local p t=0
  for p in $(ps -e -o pid=,comm= | awk -v v="napi/$VHOST" 'index($2, v) == 1 { print $1 }'); do
    t=$((t + $(proc_ticks "$p")))
  done
  echo "$t"
}

# measure label path guests mode seconds: runs wrk in guests 1..n at once, writes $RUN/res/<label>
mkdir -p "$RUN/res" "$RUN/cpu" "$RUN/stats"
measure() {
  local label=$1 path=$2 n=$3 mode=$4 secs=$5 i hdr=()
  [ "$mode" = close ] && hdr=(-H "Connection: close")
  use_path "$path"
  thread_ticks "$AGENT_PID" > "$RUN/cpu/$label.before"
  local sys0 nova0 napi0
  sys0=$(cpu_busy_idle); nova0=$(proc_ticks "$NOVA_PID"); napi0=$(napi_ticks)
  curl -s "http://127.0.0.1:$INTROSPECT_PORT/stats" > "$RUN/stats/$label.before" || true
  local t0 t1
  t0=$(date +%s%N)
  WRK_PIDS=()
  for i in $(seq 1 "$n"); do
    EXPECT=${G_EXPECT[$i]} WRK_OUT=$RUN/res/$label.g$i ip netns exec "${G_NS[$i]}" \
      wrk -t1 -c"$CONNECTIONS" -d"${secs}s" --timeout 5s "${hdr[@]}" -s "$HERE/check.lua" \
      http://169.254.169.254/latest/meta-data/instance-id > "$RUN/res/$label.g$i.txt" 2>&1 9>&- &
    WRK_PIDS+=($!)
  done
  for p in "${WRK_PIDS[@]}"; do wait "$p" || log "$label: a wrk exited with $?"; done
  WRK_PIDS=()
  t1=$(date +%s%N)
  thread_ticks "$AGENT_PID" > "$RUN/cpu/$label.after"
  local sys1 nova1 napi1 busy
  sys1=$(cpu_busy_idle); nova1=$(proc_ticks "$NOVA_PID"); napi1=$(napi_ticks)
  # the whole machine's busy share while this point ran (all processes, all engineers)
  busy=$(echo "$sys0 $sys1" | awk '{ b = $3 - $1; i = $4 - $2; printf "%.0f", (b + i > 0 ? 100 * b / (b + i) : 0) }')
  curl -s "http://127.0.0.1:$INTROSPECT_PORT/stats" > "$RUN/stats/$label.after" || true
  # merge: total rps (sum over guests), exact p50/p99 over all guests' requests, errors, checks
  awk -v label="$label" -v path="$path" -v n="$n" -v mode="$mode" -v busy="$busy" '
    $1 == "requests"    { req += $2; f_req = $2 }
    $1 == "duration_us" { rps += f_req / ($2 / 1e6) }
    $1 == "errors"      { err += $2 + $3 + $4 + $5 + $6 }
    $1 == "good"        { good += $2 }
    $1 == "bad"         { bad += $2 }
    $1 == "hist"        { h[$2] += $3; tot += $3 }
    END {
      m = 0; for (v in h) vals[++m] = v + 0
      # insertion sort is fine: a few thousand distinct microsecond values
      for (a = 2; a <= m; a++) { x = vals[a]; b = a - 1; while (b > 0 && vals[b] > x) { vals[b+1] = vals[b]; b-- } vals[b+1] = x }
      c = 0; p50 = p99 = -1
      for (a = 1; a <= m; a++) { c += h[vals[a]]; if (p50 < 0 && c >= 0.50 * tot) p50 = vals[a]; if (p99 < 0 && c >= 0.99 * tot) p99 = vals[a] }
      printf "%s %s %d %s %.0f %.3f %.3f %d %d %d %d %s%%\n", label, path, n, mode, rps, p50 / 1000, p99 / 1000, req, good, bad, err, busy
    }' $(ls "$RUN"/res/"$label".g* | grep -v '\.txt$') | tee -a "$RUN/all"
  # agent CPU by thread (group names: digits -> N), in CPU-seconds per wall-second
  join <(sort "$RUN/cpu/$label.before") <(sort "$RUN/cpu/$label.after") 2>/dev/null \
    | awk -v hz="$HZ" -v nova="$((nova1 - nova0))" -v napi="$((napi1 - napi0))" -v wall="$(( (t1 - t0) / 1000000 ))" -v label="$label" '
        { name = $2; gsub(/[0-9]+/, "N", name); d[name] += ($5 - $3) }
        END { for (k in d) if (d[k] > 0) printf "%s %s %.3f\n", label, k, d[k] / hz / (wall / 1000)
              printf "%s %s %.3f\n", label, "(nova-stand-in)", nova / hz / (wall / 1000)
              if (napi > 0) printf "%s %s %.3f\n", label, "(vhost-napi-kthread)", napi / hz / (wall / 1000) }' \
    | sort -k3,3gr >> "$RUN/cpu.all"
  # guests that failed the body check make the run fail (after the report is written)
  awk -v l="$label" '$1 == l && ($10 > 0 || $9 == 0) { exit 1 }' "$RUN/all" \
    || { log "$label: wrong or no answers: $(grep -h '^sample' "$RUN"/res/"$label".g* | sort -u | head -3 | tr '\n' ';')"; echo "$label" >> "$RUN/failed"; }
}

: > "$RUN/all"; : > "$RUN/cpu.all"; : > "$RUN/failed"
log "warm-up: ${WARMUP}s per path and mode with $MAXG guest(s)"
for mode in $MODES; do
  for path in $PATHS; do measure "warm-$path-$mode" "$path" "$MAXG" "$mode" "$WARMUP" >/dev/null; done
done
: > "$RUN/all"; : > "$RUN/cpu.all"; : > "$RUN/failed"
for r in $(seq 1 "$ROUNDS"); do
  order=$PATHS; [ $((r % 2)) -eq 0 ] && order=$(echo "$PATHS" | awk '{for (i = NF; i > 0; i--) printf "%s%s", $i, (i > 1 ? " " : "")}')
  log "round $r/$ROUNDS ($order)"
  for n in $GUESTS; do
    for mode in $MODES; do
      for path in $order; do
        measure "r$r-$path-g$n-$mode" "$path" "$n" "$mode" "$DURATION"
      done
    done
  done
done

# --- profile: JFR execution samples of the agent during one extra point per mode (our path) ---
: > "$RUN/profile"
if [ "$PROFILE" = 1 ]; then
  for mode in $MODES; do for path in $PATHS; do
    label=prof-$path-g$MAXG-$mode
    jcmd "$AGENT_PID" JFR.start name=dpbench settings=profile filename="$RUN/$label.jfr" >/dev/null
    measure "$label" "$path" "$MAXG" "$mode" "$DURATION" > /dev/null
    jcmd "$AGENT_PID" JFR.stop name=dpbench >/dev/null
    # samples by thread group, then the top frames (method, no line) of all samples
    jfr print --events jdk.ExecutionSample --stack-depth 2 "$RUN/$label.jfr" 2>/dev/null | awk -v l="$label" '
      function m(f) { sub(/^ +/, "", f); sub(/ +line:.*/, "", f); sub(/\(.*\)/, "()", f); sub(/^([a-z0-9_]+\.)+/, "", f); return f }
      /sampledThread = / { t = $0; sub(/.*sampledThread = "/, "", t); sub(/".*/, "", t); gsub(/[0-9]+/, "N", t); next }
      /stackTrace = \[/ { getline f1; getline f2; th[t]++; n++
                          if (f2 ~ /^ *\]/ || f2 ~ /truncated/) f2 = ""
                          if (t !~ /^metadata-proxy/) c[t " | " m(f1) (f2 == "" ? "" : " <- " m(f2))]++
                          next }
      END {
        printf "%s %d Java execution samples; by thread:", l, n
        for (k in th) printf " %s %.0f%%,", k, 100 * th[k] / n
        printf "\n"
        for (k in c) printf "%s %5.1f%% %s\n", l, 100 * c[k] / n, k | "sort -k2,2gr | head -8"
      }' >> "$RUN/profile"
  done; done
fi
check_all after

# --- report -----------------------------------------------------------------------------------
# the median round (by requests/s) of each (path, guests, mode)
: > "$RUN/median"
for n in $GUESTS; do
  for mode in $MODES; do
    for path in ours kernel; do
      awk -v p="$path" -v n="$n" -v m="$mode" '$1 ~ /^r[0-9]/ && $2 == p && $3 == n && $4 == m' "$RUN/all" \
        | sort -k5,5g | awk -v k="$ROUNDS" 'NR == int((k + 1) / 2)' >> "$RUN/median"
    done
  done
done
cpu_of() { # label-glob: the agent's threads over all matching points, mean CPU-s per s
  awk -v pat="$1" '$1 ~ pat { s[$2] += $3; c[$2]++ } END { for (k in s) printf "%s %.2f\n", k, s[k] / '"$ROUNDS"' }' "$RUN/cpu.all" \
    | sort -k2,2gr | awk '$2 >= 0.01' | head -8
}
per_request() { # guests mode: a table row of agent and machine CPU per request, means over rounds
  awk -v n="$1" -v m="$2" -v cores="$(nproc)" '
    FNR == 1 { f++ }
    f == 1 && $2 == "(vhost-napi-kthread)" { napi[$1] += $3; next }
    f == 1 && $2 != "(nova-stand-in)" { agent[$1] += $3; next }
    f == 2 && $1 ~ /^r[0-9]/ && $3 == n && $4 == m && $5 > 0 {
      busy = $12; sub(/%/, "", busy)
      a[$2] += agent[$1] * 1e6 / $5; k[$2] += napi[$1] * 1e6 / $5; mc[$2] += busy / 100 * cores * 1e6 / $5; c[$2]++ }
    END {
      if (!c["ours"] || !c["kernel"]) exit
      ao = a["ours"] / c["ours"]; ak = a["kernel"] / c["kernel"]; mo = mc["ours"] / c["ours"]; mk = mc["kernel"] / c["kernel"]
      printf "| %d | %s | %.0f / %.0f | **%.2fx** | %.0f | %.0f / %.0f | **%.2fx** |\n", n, m, ao, ak, ao / ak, k["ours"] / c["ours"], mo, mk, mo / mk
    }' "$RUN/cpu.all" "$RUN/all"
}
stat_delta() { # label: non-zero numeric counters of the dataplane that changed in that point
  local b="$RUN/stats/$1.before" a="$RUN/stats/$1.after"
  [ -s "$b" ] && [ -s "$a" ] || return 0
  jq -n -r --slurpfile b "$b" --slurpfile a "$a" '
    [$a[0] | paths(numbers)] as $ps
    | $ps[] | . as $p | (($a[0] | getpath($p)) - (($b[0] | getpath($p)) // 0)) as $d
    | select($d != 0) | ($p | map(tostring) | join(".")) as $k
    | select($k | test("p50|p99|max_us|uptime|pid") | not)
    | "\($k) \($d)"' 2>/dev/null | head -40
}
LAST=$ROUNDS
mkdir -p "$(dirname "$OUT")"
{
  echo "# Dataplane benchmark: guest -> 169.254.169.254 -> metadata proxy -> nova stand-in"
  echo
  echo "Run: $(date -u '+%Y-%m-%d %H:%M UTC'), commit $(git rev-parse --short HEAD)$(git diff --quiet HEAD -- . ':!benchmarks/results' || echo '+local changes')$(b=$(git merge-base HEAD main 2>/dev/null) && echo " (main at ${b:0:7})"),"
  echo "$(nproc) cores ($(uname -r)), $(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo)."
  echo "**Shared machine**: other engineers' builds and tests ran on the same 2 cores (load average"
  echo "$(cut -d' ' -f1-3 /proc/loadavg) at the end), and the agent, the nova stand-in and wrk all compete"
  echo "for them too; treat absolute numbers as indicative and compare the two paths, which were measured"
  echo "interleaved in the same run (median of $ROUNDS rounds per point)."
  echo
  echo "Both paths end at the SAME metadata proxy (one agent process, listening on the vhost address"
  echo "$VHOST_IP:$PROXY_PORT), which signs and forwards to the nova stand-in on 127.0.0.1:$NOVA_PORT:"
  echo
  echo "- **ours**: guest eth0 -> veth captured by the agent (pcap4j) -> flow table (miss -> HOLD -> forward +"
  echo "  reverse NAT flows) -> SNAT to the port's metadata IP, DNAT to the proxy -> injected into the vhost"
  echo "  veth; replies captured on the vhost and reverse-NAT'd to the guest."
  echo "- **kernel**: guest eth1 -> plain veth with an address in the root namespace -> nftables"
  echo "  \`dnat to $VHOST_IP:$PROXY_PORT\` (prerouting) + \`snat to <the port's metadata IP>\` (input) -> the"
  echo "  same socket; replies un-NAT'd by conntrack and routed back over eth1 (neutron's iptables shape)."
  echo
  echo "Guest NICs (both veths of a guest alike): tx checksum/TSO/GSO offload $GUEST_OFFLOAD. Port mode: $PORT_MODE. Kernel fast path: $FAST_PATH. Vhost NAPI thread: $NAPI_THREAD."
  echo
  echo "Each path uses its own ephemeral source ports in the guests ($(port_range ours) ours, $(port_range kernel) kernel):"
  echo "both reach the proxy from the same metadata IP, and a port just used on the other path would"
  echo "meet that path's TIME_WAIT socket and conntrack entry (a first run without this lost half the"
  echo "*close* throughput of whichever path ran second)."
  echo
  echo "Load: wrk ($(wrk -v 2>&1 | awk 'NR==1 {print $2}')) inside each guest namespace, 1 thread, $CONNECTIONS connections per guest, ${DURATION}s per point"
  echo "(after ${WARMUP}s warm-up per path and mode), GET /latest/meta-data/instance-id. *keepalive*: persistent"
  echo "connections; *close*: \`Connection: close\`, i.e. a new TCP connection per request, so on our path a"
  echo "new flow pair (HOLD + set-up) per request. Requests/s is the sum over guests; p50/p99 are exact over"
  echo "all guests' requests (merged wrk histograms). Every response body was checked (wrk Lua) to be the"
  echo "guest's own instance-id as nova answers it; *bad* counts any other answer."
  echo
  echo "| guests | connections | mode | ours req/s | kernel req/s | ours/kernel | ours p50 ms | kernel p50 ms | ours p99 ms | kernel p99 ms | bad / socket errors (ours, kernel) | machine busy (ours, kernel) |"
  echo "|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|---|---|"
  for n in $GUESTS; do
    for mode in $MODES; do
      read -r _ _ _ _ o_rps o_p50 o_p99 _ _ o_bad o_err o_busy < <(awk -v n="$n" -v m="$mode" '$2 == "ours" && $3 == n && $4 == m' "$RUN/median") || true
      read -r _ _ _ _ k_rps k_p50 k_p99 _ _ k_bad k_err k_busy < <(awk -v n="$n" -v m="$mode" '$2 == "kernel" && $3 == n && $4 == m' "$RUN/median") || true
      ratio=$(awk -v a="$o_rps" -v b="$k_rps" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }')
      echo "| $n | $((n * CONNECTIONS)) | $mode | $o_rps | $k_rps | **${ratio}x** | $o_p50 | $k_p50 | $o_p99 | $k_p99 | $o_bad/$o_err, $k_bad/$k_err | $o_busy, $k_busy |"
    done
  done
  echo
  echo "Correctness: $(tr '\n' ';' < "$RUN/checks" | sed 's/;$//; s/;/; /g') (curl in every guest)."
  if [ -s "$RUN/failed" ]; then
    echo "**Points with wrong or missing answers:** $(tr '\n' ' ' < "$RUN/failed")"
  else
    echo "No wrong answer in any point: every one of the $(awk '{s += $9} END {print s}' "$RUN/all") measured responses was the guest's own instance-id."
  fi
  echo
  echo "## Where the agent's CPU went"
  echo
  echo "Agent threads (from /proc/<pid>/task, names cut at 15 characters, digits -> N) and the nova"
  echo "stand-in process, CPU-seconds per second, mean over rounds (2.0 = both cores):"
  echo
  for n in $GUESTS; do
    for mode in $MODES; do
      for path in ours kernel; do
        echo "- $path, $n guest(s), $mode: $(cpu_of "^r[0-9]+-$path-g$n-$mode\$" | awk '{printf "%s%s %s", (NR > 1 ? ", " : ""), $1, $2}')"
      done
    done
  done
  echo
  echo "CPU per request, mean over rounds: the agent's (all its threads, JVM ones included:"
  echo "CPU-seconds over requests) and the machine's (busy share x $(nproc) cores over requests/s:"
  echo "everything, the guests' wrk and the kernel's packet work included). The kernel path's packet work"
  echo "(its receive of each SYN, the DNAT, conntrack) is charged to the guests' wrk or to softirq, never"
  echo "to the agent; ours partly runs in the agent's dataplane thread (the SYN it injects is received by"
  echo "the host inside that \`sendto\`, or, with vhost_napi_thread, in the vhost's NAPI kernel thread: its"
  echo "own column), so the machine column is the like-for-like one. NAPI thread: $NAPI_THREAD."
  echo
  echo "| guests | mode | agent µs/request ours / kernel | ratio | vhost NAPI thread µs/request (ours) | machine µs/request ours / kernel | ratio |"
  echo "|---:|---|---|---:|---:|---|---:|"
  for n in $GUESTS; do
    for mode in $MODES; do
      per_request "$n" "$mode"
    done
  done
  echo
  if [ -s "$RUN/profile" ]; then
    echo "## Profile of the agent ($MAXG guests, JFR execution samples, top frames)"
    echo
    echo "One extra ${DURATION}s point per path and mode with JFR (settings=profile) on, after the rounds: the share of"
    echo "Java execution samples by thread, then the top frames (<- caller) of the threads other than the"
    echo "metadata proxy's (the proxy is the same on both paths). Time in native code (inside libpcap, the"
    echo "kernel) is not an execution sample; the per-thread CPU above covers it."
    echo
    echo '```'
    sed 's/^prof-//; s/-g[0-9]*-/ /' "$RUN/profile"
    echo '```'
    echo
  fi
  echo "## Dataplane counters during the last round (introspect /stats deltas, our path)"
  echo
  echo "Counter increase over the point; \`flows\`/\`linklocal_flows\` are gauges (change in table occupancy)."
  for n in $GUESTS; do
    for mode in $MODES; do
      echo
      echo "ours, $n guest(s), $mode:"
      echo
      echo '```'
      stat_delta "r$LAST-ours-g$n-$mode" || true
      echo '```'
    done
  done
  echo
  echo "## All points"
  echo
  echo "label, path, guests, mode, req/s, p50 ms, p99 ms, requests, good, bad, socket errors,
busy share of the machine's 2 cores during the point (everything running, not only this benchmark):"
  echo
  echo '```'
  cat "$RUN/all"
  echo '```'
  echo
  echo "Reproduce (as root): \`bash benchmarks/dataplane/run.sh\` (env DURATION, WARMUP, ROUNDS, GUESTS, CONNECTIONS, MODES)."
} > "$OUT"
cat "$OUT"
[ ! -s "$RUN/failed" ] || die "some points had wrong or missing answers: $(tr '\n' ' ' < "$RUN/failed")"
