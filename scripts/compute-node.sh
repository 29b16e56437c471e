#!/usr/bin/env bash
# The main job: a complete compute node on one machine, on embedded defaults.
#
#   1. builds the project (first run) and installs the system packages it needs (libpcap, ...)
#   2. starts the NOVA METADATA STAND-IN (not nova: a test double that checks the proxy's
#      headers and HMAC signature and answers 400/403/404 as nova does) on 127.0.0.1:8775
#   3. starts the vrouter agent (vrouter-agent/bin/vrouter-agent) with a demo agent.conf: its
#      own vhost interface, the metadata proxy, the userspace dataplane, port IPC on :9091
#   4. creates guest network namespaces (two with the SAME fixed IP on different virtual
#      networks) and plugs each into the agent through port IPC, as nova's vrouter-port-control
#   5. in every guest fetches instance-id, hostname, local-ipv4 and user-data from
#      http://169.254.169.254 and prints what each retrieved
#   6. tears everything down on exit (also on Ctrl-C or failure)
#
# Usage (as root): bash scripts/compute-node.sh [--keep]    (--keep: stay up until Ctrl-C)
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

KEEP=false
[ "${1:-}" = "--keep" ] && KEEP=true
if [ "$(id -u)" -ne 0 ]; then
  echo "compute-node: needs root (network namespaces, veth pairs, packet capture): run it as root" >&2
  exit 1
fi

bash scripts/install-deps.sh
if [ ! -f vrouter-agent/target/lib/linklocal-0.1.0-SNAPSHOT.jar ] || [ ! -d linklocal/target/test-classes ]; then
  echo "compute-node: building (first run) ..."
  mvn -B -q -ntp package -DskipTests
fi

RUN=$(mktemp -d /tmp/compute-node.XXXXXX)
TAG=cn$$
VHOST=vh$$
SECRET=$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')
NOVA_PID= AGENT_PID=
GUESTS=()

cleanup() {
  set +e
  [ -n "$AGENT_PID" ] && kill "$AGENT_PID" 2>/dev/null && wait "$AGENT_PID" 2>/dev/null
  [ -n "$NOVA_PID" ] && kill "$NOVA_PID" 2>/dev/null && wait "$NOVA_PID" 2>/dev/null
  for g in "${GUESTS[@]}"; do
    ip netns del "$g" 2>/dev/null
    ip link del "v$g" 2>/dev/null
  done
  ip link del "$VHOST" 2>/dev/null
  rm -f "/run/vrouter-agent/$VHOST.lock" # the agent's node lock (its name is unique to this run)
  echo "compute-node: torn down (logs were in $RUN)"
}
trap cleanup EXIT INT TERM

# guest name, VM IP, VN, instance uuid, project uuid, hostname
GUEST_TABLE=(
  "a 10.0.0.3 11111111-0000-4000-8000-00000000000a 6e1a1c51-7a1e-4c4e-9a51-00000000000a 5b3d0f5e-9d27-4b2a-8a43-0000000000aa guest-a"
  "b 10.0.0.3 11111111-0000-4000-8000-00000000000b 6e1a1c51-7a1e-4c4e-9a51-00000000000b 5b3d0f5e-9d27-4b2a-8a43-0000000000bb guest-b"
  "c 10.0.1.4 11111111-0000-4000-8000-00000000000b 6e1a1c51-7a1e-4c4e-9a51-00000000000c 5b3d0f5e-9d27-4b2a-8a43-0000000000bb guest-c"
)

# --- 2. the nova stand-in --------------------------------------------------------------------
{
  echo "["
  sep=""
  for row in "${GUEST_TABLE[@]}"; do
    read -r _ _ _ uuid project host <<<"$row"
    printf '%s{"uuid": "%s", "project_id": "%s", "hostname": "%s"}\n' "$sep" "$uuid" "${project//-/}" "$host"
    sep=","
  done
  echo "]"
} > "$RUN/instances.json"
CP_NOVA="linklocal/target/test-classes:linklocal/target/classes:vrouter-agent/target/lib/*"
java -cp "$CP_NOVA" io.vrouter.linklocal.novastandin.NovaMetadataStandInMain \
  --listen 127.0.0.1 --port 8775 --secret "$SECRET" --instances "$RUN/instances.json" \
  > "$RUN/nova-standin.log" 2>&1 &
NOVA_PID=$!

# --- 3. the agent ----------------------------------------------------------------------------
cat > "$RUN/agent.conf" <<CONF
[DEFAULT]
http_server_port = 8085
thrift_server_port = 8098
port_ipc_port = 9091
ports_dir = $RUN/ports

[VIRTUAL-HOST-INTERFACE]
name = $VHOST
# RFC 2544's benchmarking range: never a real network of the host running the demo.
ip = 198.18.0.1/24

[METADATA]
metadata_proxy_secret = $SECRET
metadata_proxy_port = 8097

[LINKLOCAL]
cache_file = $RUN/linklocal-cache.json

[DATAPLANE]
# The route back to 169.254/16 in a table of its own (policy routing from the vhost address),
# so the demo leaves the host's main routing table alone.
route_table = 20001
CONF
chmod 600 "$RUN/agent.conf"   # it holds the metadata secret
vrouter-agent/bin/vrouter-agent --config-file "$RUN/agent.conf" > "$RUN/agent.log" 2>&1 &
AGENT_PID=$!

wait_for() { # url, what, pid of the process that should answer, its log
  for _ in $(seq 1 150); do
    curl -s -o /dev/null --max-time 1 "$1" && return 0
    if ! kill -0 "$3" 2>/dev/null; then
      echo "compute-node: the $2 exited; the end of its log ($4):" >&2
      tail -5 "$4" >&2
      grep -q "Address already in use" "$4" && echo "compute-node: a port it needs is taken (8775, 8097, 9091, 8085): is another compute node running?" >&2
      exit 1
    fi
    sleep 0.2
  done
  echo "compute-node: the $2 did not answer $1 within 30 s; see $4" >&2
  exit 1
}
wait_for http://127.0.0.1:8775/ "nova stand-in" "$NOVA_PID" "$RUN/nova-standin.log"
wait_for http://127.0.0.1:9091/ports "agent" "$AGENT_PID" "$RUN/agent.log"
echo "compute-node: nova stand-in on 127.0.0.1:8775, agent up (port IPC :9091, introspect :8085)"

# --- 4. guests, plugged in through port IPC ---------------------------------------------------
for row in "${GUEST_TABLE[@]}"; do
  read -r name ip vn uuid project host <<<"$row"
  ns="${TAG}$name"
  GUESTS+=("$ns")
  mac=$(printf '02:00:00:%02x:%02x:%02x' $((RANDOM % 256)) $((RANDOM % 256)) $((RANDOM % 256)))
  ip netns add "$ns"
  ip link add "v$ns" type veth peer name eth0 netns "$ns"
  ip -n "$ns" link set eth0 address "$mac" up
  ip -n "$ns" link set lo up
  ip -n "$ns" addr add "$ip/24" dev eth0
  ip -n "$ns" route add default via "${ip%.*}.1"
  ip link set "v$ns" up
  curl -sf -X POST http://127.0.0.1:9091/port -H 'Content-Type: application/json' -d @- >/dev/null <<JSON
{"id": "$(cat /proc/sys/kernel/random/uuid)", "instance-id": "$uuid", "vn-id": "$vn",
 "vm-project-id": "$project", "display-name": "$host", "ip-address": "$ip", "ip6-address": "",
 "type": 0, "system-name": "v$ns", "mac-address": "$mac", "rx-vlan-id": -1, "tx-vlan-id": -1}
JSON
  echo "compute-node: guest $host ($ip, VN ${vn: -2}) plugged in as v$ns"
done

# --- 5. what each guest retrieves -------------------------------------------------------------
status=0
for i in "${!GUESTS[@]}"; do
  ns=${GUESTS[$i]}
  read -r _ ip _ uuid _ host <<<"${GUEST_TABLE[$i]}"
  md() { ip netns exec "$ns" curl -s --fail --max-time 10 "$@"; }
  got_ec2=$(md http://169.254.169.254/latest/meta-data/instance-id || echo "(failed)")
  got_host=$(md http://169.254.169.254/latest/meta-data/hostname || echo "(failed)")
  got_ip=$(md http://169.254.169.254/latest/meta-data/local-ipv4 || echo "(failed)")
  got_ud=$(md http://169.254.169.254/latest/user-data | head -n 1 || echo "(failed)")
  uuid_of() { grep -o '"uuid": *"[^"]*"' | head -n 1 | sed 's/.*"\([^"]*\)"$/\1/'; }
  got_uuid=$(md http://169.254.169.254/openstack/latest/meta_data.json | uuid_of || true)
  # A guest claiming to be another instance: the proxy drops guest identity headers.
  other=${GUEST_TABLE[$(( (i + 1) % ${#GUEST_TABLE[@]} ))]}
  read -r _ _ _ other_uuid _ _ <<<"$other"
  forged=$(md -H "X-Instance-ID: $other_uuid" http://169.254.169.254/openstack/latest/meta_data.json | uuid_of || true)
  printf '\n%s (VM IP %s):\n  uuid:        %s\n  instance-id: %s\n  hostname:    %s\n  local-ipv4:  %s\n  user-data:   %s\n  forged X-Instance-ID %s -> still %s\n' \
    "$host" "$ip" "${got_uuid:-(failed)}" "$got_ec2" "$got_host" "$got_ip" "$got_ud" "$other_uuid" "${forged:-(failed)}"
  if [ "$got_uuid" != "$uuid" ] || [ "$forged" != "$uuid" ]; then
    echo "  MISMATCH: expected uuid $uuid" >&2
    status=1
  fi
done
echo
curl -s http://127.0.0.1:8085/stats > "$RUN/stats.json" && echo "compute-node: agent counters saved in $RUN/stats.json"

if $KEEP; then
  echo "compute-node: up; try: ip netns exec ${GUESTS[0]} curl http://169.254.169.254/latest/meta-data/  (Ctrl-C to stop)"
  wait "$AGENT_PID"
fi
exit $status
