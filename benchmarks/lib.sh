# Shared by the scripted benchmarks (source it from the repository root).

# install_missing COMMAND:PACKAGE ...: installs with apt-get the packages whose command is missing.
install_missing() {
  local need=() pair
  for pair in "$@"; do
    command -v "${pair%%:*}" >/dev/null || need+=("${pair#*:}")
  done
  [ ${#need[@]} -eq 0 ] && return 0
  echo "installing ${need[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q && apt-get install -y -q --no-install-recommends "${need[@]}"
}

# need_root_and_lock NAME WHY: exits unless root, then holds /run/lock/vrouter-NAME.lock (fd 9)
# for the rest of the script, so two runs of one benchmark never overlap.
need_root_and_lock() {
  [ "$(id -u)" -eq 0 ] || { echo "$1: needs root ($2)" >&2; exit 1; }
  exec 9>"/run/lock/vrouter-$1.lock"
  flock -n 9 || { echo "$1: another run holds /run/lock/vrouter-$1.lock" >&2; exit 1; }
}

# write_ini FILE SECTION.key=value ...: an INI file (mode 600: it may hold secrets), the
# sections in the order they first appear.
write_ini() {
  local file=$1 arg section last=""
  shift
  : >"$file"
  chmod 600 "$file"
  for arg in "$@"; do
    section=${arg%%.*}
    if [ "$section" != "$last" ]; then
      printf '[%s]\n' "$section" >>"$file"
      last=$section
    fi
    printf '%s\n' "${arg#*.}" | sed 's/=/ = /' >>"$file"
  done
}
