#!/usr/bin/env bash
# Installs the system packages the build, the tests and the compute-node demo need.
# Idempotent: does nothing when every package is already there. Needs root to install.
set -euo pipefail

PACKAGES=(
  libpcap0.8     # pcap4j loads libpcap at run time (packet I/O on guest interfaces)
  iproute2       # network namespaces and veth pairs for guests
  nftables       # the agent's host isolation rules
  etcd-server    # the config API's etcd store is tested against a real etcd
  curl           # guests in namespaces fetch their metadata with it
  iputils-ping   # shared port mode's bridge and fabric-flap tests ping between namespaces
  procps         # sysctl
  ethtool        # the agent turns checksum/segmentation offload off on the interfaces it captures
  thrift-compiler # introspect-api generates its Java from introspect.thrift at build time (0.17.0 = libthrift)
  keystone       # auth_strategy = keystone is tested against a real Keystone (SQLite, started by the test)
  chromium       # the config API's web UI is tested end to end in a real browser (headless)
  chromium-driver # ... driven through WebDriver by Selenium
  python3-prometheus-client # the agent's /metrics is checked with the Prometheus project's own text-format parser
)

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "install-deps: missing system packages: ${missing[*]} (run as root to install them)" >&2
  exit 0
fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
apt-get install -y -q --no-install-recommends "${missing[@]}"
