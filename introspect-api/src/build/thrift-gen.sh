#!/bin/sh
# Generates the Java of introspect.thrift with Debian's thrift-compiler; run by Maven in
# generate-sources. Fails with a message an operator can act on when the compiler is missing or is
# not the release libthrift was pinned to (code from another compiler release may not compile
# against, or behave like, that libthrift).
#   thrift-gen.sh <expected thrift version> <output directory> <idl>...
set -eu
expected=$1
out=$2
shift 2
if ! command -v thrift >/dev/null 2>&1; then
  echo "introspect-api: the Thrift compiler 'thrift' is not on PATH." >&2
  echo "introspect-api: install Debian's thrift-compiler (apt-get install thrift-compiler, or scripts/install-deps.sh as root)." >&2
  exit 1
fi
version=$(thrift --version | sed -n 's/^Thrift version \([0-9.]*\).*/\1/p')
if [ "$version" != "$expected" ]; then
  echo "introspect-api: thrift $version found at $(command -v thrift), but the build pins libthrift $expected;" >&2
  echo "introspect-api: install thrift-compiler $expected, or set libthrift.version in the parent pom to $version (the compiler and libthrift must be the same release)." >&2
  exit 1
fi
rm -rf "$out"
mkdir -p "$out"
for idl in "$@"; do
  # -strict: reject IDL the compiler only warns about (missing field ids, deprecated syntax).
  thrift -strict --gen java:generated_annotations=suppress -out "$out" "$idl"
done
