#!/usr/bin/env bash
# Runs every test of every module. As root it also installs the system packages the tests
# need, and the namespace/etcd tests run; without root those tests are skipped with a warning.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
if [ "$(id -u)" -ne 0 ]; then
  echo "WARNING: not root: tests that need network namespaces will be SKIPPED" >&2
fi
exec mvn -B -ntp verify "$@"
