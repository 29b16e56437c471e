#!/usr/bin/env bash
# Metadata proxy benchmark on loopback: wrk against
#   (a) nginx directly (the upstream: a fixed metadata listing),
#   (b) our proxy (io.vrouter.linklocal.proxy.MetadataProxyMain) in front of nginx,
#   (c) haproxy (>= 2.6) configured to do the same job (map source -> identity, HMAC-SHA256
#       signature via the hmac converter, guest identity headers stripped) in front of nginx,
# in one run, and writes benchmarks/results/proxy.md.
# Before measuring, checks through each proxy that nginx received the right identity headers
# (signature compared with openssl) and that a forged X-Instance-ID was replaced.
#
# The machine is shared, so targets are measured interleaved for ROUNDS rounds and the median
# round is reported per target (all rounds are listed too).
# Env: DURATION (s per measurement, default 10), WARMUP (s per target, once, default 15),
#      ROUNDS (default 3), CONNECTIONS (default 16), THREADS (proxy and wrk threads, default 1).
# Needs root to apt-get install wrk, nginx-light, haproxy when missing.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$(pwd)
DURATION=${DURATION:-10}
WARMUP=${WARMUP:-15}
ROUNDS=${ROUNDS:-3}
CONNECTIONS=${CONNECTIONS:-16}
THREADS=${THREADS:-1}
SECRET="bench-shared-secret"
INSTANCE="11111111-1111-4111-8111-111111111111"
TENANT="aaaaaaaaaaaa4aaa8aaaaaaaaaaaaaaa"
VM_IP="10.0.0.3"
OUT="$ROOT/benchmarks/results/proxy.md"

need=()
command -v wrk >/dev/null || need+=(wrk)
command -v nginx >/dev/null || need+=(nginx-light)
command -v haproxy >/dev/null || need+=(haproxy)
command -v openssl >/dev/null || need+=(openssl)
if [ ${#need[@]} -gt 0 ]; then
  echo "installing ${need[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q && apt-get install -y -q --no-install-recommends "${need[@]}"
fi
HAPROXY_VERSION=$(haproxy -v | awk 'NR==1 {print $3}')
case "$HAPROXY_VERSION" in
  1.*|2.[0-5]|2.[0-5].*) echo "haproxy $HAPROXY_VERSION has no hmac converter (needs >= 2.6)" >&2; exit 1 ;;
esac

DIR=$(mktemp -d /tmp/proxy-bench.XXXXXX)
PIDS=()
cleanup() {
  local rc=$?
  if [ "$rc" -ne 0 ]; then
    echo "benchmark failed (exit $rc); server logs follow" >&2
    for f in nginx-error.log proxy.log haproxy.log; do
      [ -f "$DIR/$f" ] && { echo "--- $f" >&2; tail -20 "$DIR/$f" >&2; }
    done
  fi
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
  rm -rf "$DIR"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
NGINX_PORT=$(free_port); PROXY_PORT=$(free_port); HAPROXY_PORT=$(free_port)

wait_port() { # port name
  for _ in $(seq 1 100); do
    (exec 3<>/dev/tcp/127.0.0.1/"$1") 2>/dev/null && return 0
    sleep 0.2
  done
  echo "$2 did not start on port $1" >&2; exit 1
}

# --- configs ---
SECRET_B64=$(printf %s "$SECRET" | base64)
printf '127.0.0.1 %s\n' "$INSTANCE" > "$DIR/instances.map"
printf '127.0.0.1 %s\n' "$TENANT" > "$DIR/tenants.map"
printf '127.0.0.1 %s\n' "$VM_IP" > "$DIR/ips.map"
printf '{"127.0.0.1": {"instance": "%s", "tenant": "%s", "ip": "%s"}}\n' "$INSTANCE" "$TENANT" "$VM_IP" \
  > "$DIR/instances.json"
subst() { sed -e "s|@DIR@|$DIR|g" -e "s|@NGINX_PORT@|$NGINX_PORT|g" -e "s|@HAPROXY_PORT@|$HAPROXY_PORT|g" \
              -e "s|@SECRET_B64@|$SECRET_B64|g" -e "s|@THREADS@|$THREADS|g" "$1"; }
subst benchmarks/proxy/nginx.conf.in > "$DIR/nginx.conf"
subst benchmarks/proxy/haproxy.cfg.in > "$DIR/haproxy.cfg"
haproxy -c -q -f "$DIR/haproxy.cfg"

# --- our proxy: build (no install into ~/.m2) ---
mvn -B -q -ntp -pl linklocal -am package -DskipTests
# Test scope: linklocal has logback only for tests; the proxy logs through it here (INFO, logback.xml).
mvn -B -q -ntp -pl linklocal dependency:build-classpath -DincludeScope=test \
  -Dmdep.outputFile="$DIR/cp.txt" >/dev/null
CP="$ROOT/linklocal/target/classes:$(cat "$DIR/cp.txt")"

# --- start ---
nginx -c "$DIR/nginx.conf" -p "$DIR" & PIDS+=($!)
wait_port "$NGINX_PORT" nginx
java -Xms256m -Xmx256m -Dlogback.configurationFile="$ROOT/benchmarks/proxy/logback.xml" -cp "$CP" io.vrouter.linklocal.proxy.MetadataProxyMain \
  --listen 127.0.0.1 --port "$PROXY_PORT" --upstream "127.0.0.1:$NGINX_PORT" --secret "$SECRET" \
  --instances "$DIR/instances.json" --io-threads "$THREADS" --rate-limit 0 \
  --max-connections-per-vm 100000 > "$DIR/proxy.log" 2>&1 & PIDS+=($!)
wait_port "$PROXY_PORT" "metadata proxy"
haproxy -f "$DIR/haproxy.cfg" -db > "$DIR/haproxy.log" 2>&1 & PIDS+=($!)
wait_port "$HAPROXY_PORT" haproxy

# --- correctness check: both proxies must send what nova expects ---
EXPECTED_SIG=$(printf %s "$INSTANCE" | openssl dgst -sha256 -hmac "$SECRET" | awk '{print $NF}')
EXPECTED="$INSTANCE|$TENANT|$VM_IP|$EXPECTED_SIG|"
for p in "$PROXY_PORT:ours" "$HAPROXY_PORT:haproxy"; do
  got=$(curl -s -H "X-Instance-ID: forged" -H "X-Tenant-ID: forged" -H "X-Metadata-Provider: x" \
        "http://127.0.0.1:${p%%:*}/echo")
  if [ "$got" != "$EXPECTED" ]; then
    echo "${p##*:}: wrong identity headers at the upstream: '$got' (expected '$EXPECTED')" >&2; exit 1
  fi
done
echo "identity headers verified through both proxies"

# --- measure ---
LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg)
to_ms() { awk '{v=$1; if (v ~ /us$/) {sub(/us$/,"",v); v/=1000} else if (v ~ /ms$/) {sub(/ms$/,"",v)} else if (v ~ /s$/) {sub(/s$/,"",v); v*=1000}; printf "%.3f", v}'; }
warm() { # port
  wrk -t"$THREADS" -c"$CONNECTIONS" -d"${WARMUP}s" "http://127.0.0.1:$1/latest/meta-data/" > /dev/null
}
run() { # name port
  echo "measuring $1 (port $2)"
  local url="http://127.0.0.1:$2/latest/meta-data/"
  wrk -t"$THREADS" -c"$CONNECTIONS" -d"${DURATION}s" --latency "$url" > "$DIR/$1.wrk"
  local rps p50 p99 errs
  rps=$(awk '/^Requests\/sec:/ {print $2}' "$DIR/$1.wrk")
  p50=$(awk '$1=="50%" {print $2}' "$DIR/$1.wrk" | to_ms)
  p99=$(awk '$1=="99%" {print $2}' "$DIR/$1.wrk" | to_ms)
  errs=$(awk '/Non-2xx|Socket errors/ {print}' "$DIR/$1.wrk" | tr '\n' ' ')
  echo "$1 $rps $p50 $p99 ${errs:-none}" | tee -a "$DIR/all"
}
: > "$DIR/all"
warm "$NGINX_PORT"; warm "$PROXY_PORT"; warm "$HAPROXY_PORT"
for r in $(seq 1 "$ROUNDS"); do
  echo "round $r"
  run direct "$NGINX_PORT"
  run ours "$PROXY_PORT"
  run haproxy "$HAPROXY_PORT"
done
# The median round (by requests/s) of each target.
: > "$DIR/results"
for t in direct ours haproxy; do
  grep "^$t " "$DIR/all" | sort -k2,2g | awk -v n="$ROUNDS" 'NR == int((n + 1) / 2)' >> "$DIR/results"
done

# --- report ---
read -r _ D_RPS D_P50 D_P99 _ < <(grep '^direct ' "$DIR/results")
mkdir -p "$(dirname "$OUT")"
{
  echo "# Metadata proxy benchmark"
  echo
  echo "Run: $(date -u '+%Y-%m-%d %H:%M UTC') on $(nproc) cores ($(uname -r)), shared machine: treat as indicative."
  echo "wrk $(wrk -v 2>&1 | awk 'NR==1 {print $2}'), ${CONNECTIONS} keep-alive connections, ${THREADS} wrk thread(s),"
  echo "${WARMUP}s warm-up per target, then ${ROUNDS} interleaved rounds of ${DURATION}s each; the table shows each"
  echo "target's median round. GET /latest/meta-data/ (236-byte body)."
  echo "Upstream: nginx $(nginx -v 2>&1 | sed 's|.*/||'), 1 worker, fixed listing."
  echo "Proxies: ours (Netty $(sed -n 's|.*<netty.version>\(.*\)</netty.version>.*|\1|p' pom.xml), ${THREADS} I/O thread(s),"
  echo "$(grep -o -m1 'epoll\|NIO' "$DIR/proxy.log" || echo '?') transport, rate limit off) and haproxy $HAPROXY_VERSION (nbthread ${THREADS}),"
  echo "both mapping the source 127.0.0.1 to an instance, signing with HMAC-SHA256 and stripping guest identity headers;"
  echo "both verified (signature checked with openssl) before measuring."
  echo
  echo "| target | requests/s | p50 ms | p99 ms | rps vs direct | errors |"
  echo "|---|---:|---:|---:|---:|---|"
  while read -r name rps p50 p99 errs; do
    ratio=$(awk -v a="$rps" -v b="$D_RPS" 'BEGIN {printf "%.2f", a/b}')
    echo "| $name | $rps | $p50 | $p99 | $ratio | $errs |"
  done < "$DIR/results"
  echo
  read -r _ O_RPS _ _ _ < <(grep '^ours ' "$DIR/results")
  read -r _ H_RPS _ _ _ < <(grep '^haproxy ' "$DIR/results")
  echo "ours / haproxy requests/s: $(awk -v a="$O_RPS" -v b="$H_RPS" 'BEGIN {printf "%.2f", a/b}')"
  echo
  echo "All rounds (target, requests/s, p50 ms, p99 ms, errors):"
  echo
  echo '```'
  cat "$DIR/all"
  echo '```'
  echo
  echo "Load average at the start of the measurements: $LOAD_START; at the end: $(cut -d' ' -f1-3 /proc/loadavg)."
  echo "A load well above $(nproc) means the three servers and wrk were competing for CPU with other work: the"
  echo "absolute numbers, and the ratios to a lesser degree, then say more about CPU share than about the code."
  echo
  echo "Reproduce: \`benchmarks/proxy/run.sh\` (env DURATION, WARMUP, ROUNDS, CONNECTIONS, THREADS)."
} > "$OUT"
cat "$OUT"
