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
# round is reported per target (all rounds are listed too). Besides requests/s, each round
# records the CPU time (user + system, from /proc) the measured server process spent per
# request: on a busy machine that is the steadier number.
# Env: DURATION (s per measurement, default 10), WARMUP (s per target, once, default 15),
#      ROUNDS (default 3), CONNECTIONS (default 16), THREADS (proxy and wrk threads, default 1),
#      JVM_FLAGS (our proxy's JVM flags, default below),
#      BASELINE_REF (a git ref, e.g. main: that version of our proxy is built from `git archive`
#      in the temp dir and measured too, as "ours-before", interleaved with the others).
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
# Fixed 256 MiB heap (the proxy keeps almost nothing per request); Parallel GC: no concurrent
# GC threads competing for the 2 cores and cheaper write barriers than G1 on the event loop
# (GC time is negligible here: young collections of short-lived request objects only).
JVM_FLAGS=${JVM_FLAGS:-"-Xms256m -Xmx256m -XX:+UseParallelGC"}
BASELINE_REF=${BASELINE_REF:-}

. benchmarks/lib.sh
install_missing wrk:wrk nginx:nginx-light haproxy:haproxy openssl:openssl
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
if [ -n "$BASELINE_REF" ]; then
  BASELINE_SHA=$(git rev-parse --short "$BASELINE_REF")
  mkdir -p "$DIR/base"
  git archive "$BASELINE_REF" | tar -x -C "$DIR/base"
  (cd "$DIR/base" && mvn -B -q -ntp -pl linklocal -am package -DskipTests)
  BASE_CP="$DIR/base/linklocal/target/classes:$(cat "$DIR/cp.txt")"
  BASE_PORT=$(free_port)
fi

# --- start ---
nginx -c "$DIR/nginx.conf" -p "$DIR" & PIDS+=($!)
wait_port "$NGINX_PORT" nginx
NGINX_PID=${PIDS[-1]}
start_ours() { # classpath port log
  # shellcheck disable=SC2086
  java $JVM_FLAGS -Dlogback.configurationFile="$ROOT/benchmarks/proxy/logback.xml" -cp "$1" io.vrouter.linklocal.proxy.MetadataProxyMain \
    --listen 127.0.0.1 --port "$2" --upstream "127.0.0.1:$NGINX_PORT" --secret "$SECRET" \
    --instances "$DIR/instances.json" --io-threads "$THREADS" --rate-limit 0 \
    --max-connections-per-vm 100000 > "$DIR/$3" 2>&1 & PIDS+=($!)
  wait_port "$2" "metadata proxy ($3)"
}
start_ours "$CP" "$PROXY_PORT" proxy.log; PROXY_PID=${PIDS[-1]}
if [ -n "$BASELINE_REF" ]; then
  start_ours "$BASE_CP" "$BASE_PORT" proxy-before.log; BASE_PID=${PIDS[-1]}
fi
haproxy -f "$DIR/haproxy.cfg" -db > "$DIR/haproxy.log" 2>&1 & PIDS+=($!)
HAPROXY_PID=${PIDS[-1]}
wait_port "$HAPROXY_PORT" haproxy
# name:port:pid of every target, in measuring order
TARGETS=("direct:$NGINX_PORT:$NGINX_PID" "ours:$PROXY_PORT:$PROXY_PID")
[ -n "$BASELINE_REF" ] && TARGETS+=("ours-before:$BASE_PORT:$BASE_PID")
TARGETS+=("haproxy:$HAPROXY_PORT:$HAPROXY_PID")

# --- correctness check: both proxies must send what nova expects ---
EXPECTED_SIG=$(printf %s "$INSTANCE" | openssl dgst -sha256 -hmac "$SECRET" | awk '{print $NF}')
EXPECTED="$INSTANCE|$TENANT|$VM_IP|$EXPECTED_SIG|"
for t in "${TARGETS[@]:1}"; do
  IFS=: read -r name port _ <<< "$t"; p="$port:$name"
  got=$(curl -s -H "X-Instance-ID: forged" -H "X-Tenant-ID: forged" -H "X-Metadata-Provider: x" \
        "http://127.0.0.1:${p%%:*}/echo")
  if [ "$got" != "$EXPECTED" ]; then
    echo "${p##*:}: wrong identity headers at the upstream: '$got' (expected '$EXPECTED')" >&2; exit 1
  fi
done
echo "identity headers verified through every proxy"

# --- measure ---
LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg)
to_ms() { awk '{v=$1; if (v ~ /us$/) {sub(/us$/,"",v); v/=1000} else if (v ~ /ms$/) {sub(/ms$/,"",v)} else if (v ~ /s$/) {sub(/s$/,"",v); v*=1000}; printf "%.3f", v}'; }
warm() { # port
  wrk -t"$THREADS" -c"$CONNECTIONS" -d"${WARMUP}s" "http://127.0.0.1:$1/latest/meta-data/" > /dev/null
}
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; } # utime + stime of a process, all threads
TICK=$(getconf CLK_TCK)
run() { # name port pid
  echo "measuring $1 (port $2)"
  local url="http://127.0.0.1:$2/latest/meta-data/"
  local c0 c1
  c0=$(cpu_ticks "$3")
  wrk -t"$THREADS" -c"$CONNECTIONS" -d"${DURATION}s" --latency "$url" > "$DIR/$1.wrk"
  c1=$(cpu_ticks "$3")
  local rps p50 p99 errs n cpu
  rps=$(awk '/^Requests\/sec:/ {print $2}' "$DIR/$1.wrk")
  p50=$(awk '$1=="50%" {print $2}' "$DIR/$1.wrk" | to_ms)
  p99=$(awk '$1=="99%" {print $2}' "$DIR/$1.wrk" | to_ms)
  n=$(awk '/requests in/ {print $1}' "$DIR/$1.wrk")
  cpu=$(awk -v a="$c0" -v b="$c1" -v n="$n" -v t="$TICK" 'BEGIN {printf "%.1f", (b - a) / t * 1e6 / n}')
  errs=$(awk '/Non-2xx|Socket errors/ {print}' "$DIR/$1.wrk" | tr ' \n' '_ ')
  echo "$1 $rps $p50 $p99 $cpu ${errs:-none}" | tee -a "$DIR/all"
}
: > "$DIR/all"
for t in "${TARGETS[@]}"; do IFS=: read -r _ port _ <<< "$t"; warm "$port"; done
for r in $(seq 1 "$ROUNDS"); do
  echo "round $r (load $(cut -d' ' -f1 /proc/loadavg))"
  for t in "${TARGETS[@]}"; do IFS=: read -r name port pid <<< "$t"; run "$name" "$port" "$pid"; done
done
# The median round (by requests/s) of each target.
: > "$DIR/results"
for t in "${TARGETS[@]}"; do t=${t%%:*}
  grep "^$t " "$DIR/all" | sort -k2,2g | awk -v n="$ROUNDS" 'NR == int((n + 1) / 2)' >> "$DIR/results"
done

# --- report ---
read -r _ D_RPS _ < <(grep '^direct ' "$DIR/results")
read -r _ H_RPS _ < <(grep '^haproxy ' "$DIR/results")
mkdir -p "$(dirname "$OUT")"
{
  echo "# Metadata proxy benchmark"
  echo
  echo "Run: $(date -u '+%Y-%m-%d %H:%M UTC') on $(nproc) cores ($(uname -r)), shared machine: treat as indicative."
  echo "wrk $(wrk -v 2>&1 | awk 'NR==1 {print $2}'), ${CONNECTIONS} keep-alive connections, ${THREADS} wrk thread(s),"
  echo "${WARMUP}s warm-up per target, then ${ROUNDS} interleaved rounds of ${DURATION}s each; the table shows each"
  echo "target's median round. GET /latest/meta-data/ (236-byte body)."
  echo "Upstream: nginx $(nginx -v 2>&1 | sed 's|.*/||'), 1 worker, fixed listing."
  [ -n "$BASELINE_REF" ] && echo "ours-before: $BASELINE_REF ($BASELINE_SHA), same flags, measured interleaved with the others."
  echo "Our JVM: $(java -version 2>&1 | awk 'NR==1'), flags \`$JVM_FLAGS\`."
  echo "Proxies: ours (Netty $(sed -n 's|.*<netty.version>\(.*\)</netty.version>.*|\1|p' pom.xml), ${THREADS} I/O thread(s),"
  echo "$(grep -o -m1 'epoll\|NIO' "$DIR/proxy.log" || echo '?') transport, rate limit off) and haproxy $HAPROXY_VERSION (nbthread ${THREADS}),"
  echo "both mapping the source 127.0.0.1 to an instance, signing with HMAC-SHA256 and stripping guest identity headers;"
  echo "both verified (signature checked with openssl) before measuring."
  echo
  echo "| target | requests/s | p50 ms | p99 ms | rps vs direct | rps vs haproxy | server CPU µs/request | errors |"
  echo "|---|---:|---:|---:|---:|---:|---:|---|"
  while read -r name rps p50 p99 cpu errs; do
    rd=$(awk -v a="$rps" -v b="$D_RPS" 'BEGIN {printf "%.2f", a/b}')
    rh=$(awk -v a="$rps" -v b="$H_RPS" 'BEGIN {printf "%.2f", a/b}')
    echo "| $name | $rps | $p50 | $p99 | $rd | $rh | $cpu | $errs |"
  done < "$DIR/results"
  echo
  echo "Server CPU: user + system time of the measured process (nginx for direct, else the proxy) over"
  echo "the round, divided by the requests wrk completed; the proxies' figure excludes nginx's share."
  echo
  echo "Each column's own median over the rounds (a round's p99 is noisy on a shared machine; this"
  echo "compares tails without picking the round by requests/s):"
  echo
  echo "| target | requests/s | p50 ms | p99 ms | server CPU µs/request |"
  echo "|---|---:|---:|---:|---:|"
  for t in "${TARGETS[@]}"; do
    t=${t%%:*}
    printf '| %s' "$t"
    for col in 2 3 4 5; do
      printf ' | %s' "$(awk -v t="$t" -v c="$col" '$1 == t {print $c}' "$DIR/all" | sort -g \
                       | awk '{v[NR] = $1} END {print v[int((NR + 1) / 2)]}')"
    done
    echo " |"
  done
  echo
  read -r _ O_RPS _ < <(grep '^ours ' "$DIR/results")
  echo "ours / haproxy requests/s: $(awk -v a="$O_RPS" -v b="$H_RPS" 'BEGIN {printf "%.2f", a/b}')"
  echo
  echo "All rounds (target, requests/s, p50 ms, p99 ms, server CPU µs/request, errors):"
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
