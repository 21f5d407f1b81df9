#!/usr/bin/env bash
# Installs everything the demo and the tests need on a fresh Debian/Ubuntu machine:
# the npm packages from the lock file and the Debian packages the lab and the config
# validators use. Safe to run again; it only installs what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

debian_packages=(
  haproxy keepalived etcd-server etcd-client firewalld iptables nftables containerd
  cloud-init iproute2 dbus openssl file procps psmisc conntrack containernetworking-plugins iputils-ping
  curl wget systemd binutils-x86-64-linux-gnu binutils-aarch64-linux-gnu
  qemu-user libc6-arm64-cross libstdc++6-arm64-cross time
  chromium
)

if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null; then
  missing=()
  for pkg in "${debian_packages[@]}"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
  done
  if [ "${#missing[@]}" -gt 0 ]; then
    echo "setup: installing Debian packages: ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
  # Installing may start these services on the machine itself; the lab and the tests run
  # their own instances inside namespaces, so keep the machine's copies off (every time: an
  # earlier run may have been interrupted between install and this).
  for svc in haproxy keepalived etcd firewalld containerd; do
    systemctl disable --now "$svc" >/dev/null 2>&1 || true
  done
  # Docker Engine for the lab's docker-ce stand-in package: Debian's docker.io (and tini for
  # docker-init) unpacked into a cache, never installed here (its postinst would start dockerd
  # on the machine and rewrite the machine's iptables). Lab hosts run these files.
  docker_cache=/var/cache/kumi-lab/docker
  if [ ! -x "$docker_cache/root/usr/sbin/dockerd" ]; then
    echo "setup: unpacking Debian's docker.io into $docker_cache (not installed)"
    rm -rf "$docker_cache" && mkdir -p "$docker_cache/debs" "$docker_cache/root"
    (cd "$docker_cache/debs" && { apt-get download -qq docker.io tini || { apt-get update -qq && apt-get download -qq docker.io tini; }; })
    for deb in "$docker_cache"/debs/*.deb; do dpkg-deb -x "$deb" "$docker_cache/root"; done
  fi
else
  echo "setup: not root or no apt-get: skipping Debian packages (tests that need them will say so)"
fi

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund
fi
