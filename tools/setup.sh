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
else
  echo "setup: not root or no apt-get: skipping Debian packages (tests that need them will say so)"
fi

# Docker Engine for the lab's docker-ce stand-in package: Debian's docker.io (and tini for
# docker-init) unpacked into a cache, never installed here (its postinst would start dockerd
# on the machine and rewrite the machine's iptables). Lab hosts run these files. Unpacked
# into "$docker_cache.tmp" and moved into place only once dockerd runs and docker-init's
# target exists, so an interrupted run leaves no half cache that the check below would accept.
docker_cache=${KUMI_DOCKER_CACHE:-/var/cache/kumi-lab/docker}
fetch_docker() {
  if "$docker_cache/root/usr/sbin/dockerd" --version >/dev/null 2>&1 && [ -x "$docker_cache/root/usr/bin/tini-static" ]; then return 0; fi
  echo "setup: unpacking Debian's docker.io into $docker_cache (not installed)"
  local tmp="$docker_cache.tmp"
  rm -rf "$tmp" && mkdir -p "$tmp/debs" "$tmp/root"
  (cd "$tmp/debs" && { apt-get download -qq docker.io tini || { apt-get update -qq && apt-get download -qq docker.io tini; }; }) || return 1
  local deb
  for deb in "$tmp"/debs/*.deb; do dpkg-deb -x "$deb" "$tmp/root" || return 1; done
  "$tmp/root/usr/sbin/dockerd" --version >/dev/null || { echo "setup: the downloaded dockerd does not run here"; return 1; }
  [ -x "$tmp/root/usr/bin/tini-static" ] || { echo "setup: the tini package has no /usr/bin/tini-static (docker-init's target)"; return 1; }
  rm -rf "$docker_cache" && mv "$tmp" "$docker_cache"
}

# containerd 2.x for the lab's containerd.io 2.x package (tools/lab-standins/src/packages/
# containerd-io-2.ts): the newest 2.x build in Debian's unstable/testing archive, downloaded through
# a private apt configuration (so apt checks the archive's signatures with the machine's
# debian-archive-keyring) and unpacked into a cache. Never installed on the machine: no
# maintainer scripts, no service. Skipped when the cache already holds a working containerd 2.x.
containerd2_cache=${KUMI_CONTAINERD2_CACHE:-/var/cache/kumi-lab/containerd-2.x}
fetch_containerd2() {
  if "$containerd2_cache/usr/bin/containerd" --version 2>/dev/null | grep -q ' v\?2\.'; then return 0; fi
  local work; work=$(mktemp -d /var/tmp/kumi-containerd2.XXXXXX)
  trap 'rm -rf "$work"' RETURN
  mkdir -p "$work/lists/partial" "$work/cache/archives/partial" "$work/sources" "$work/preferences.d" "$work/pkg"
  # The machine's own Debian mirror (the one its apt already uses), asked for the newer suites.
  local mirror; mirror=$(apt-get indextargets --format '$(REPO_URI) $(RELEASE)' 'Identifier: Packages' | awk -v c="$(. /etc/os-release && echo "$VERSION_CODENAME")" '$2 == c { print $1; exit }')
  [ -n "$mirror" ] || { echo "setup: no apt source for Debian $(. /etc/os-release && echo "$VERSION_CODENAME") main is configured"; return 1; }
  printf 'Types: deb\nURIs: %s\nSuites: sid forky\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' "$mirror" >"$work/sources/debian.sources"
  cat >"$work/apt.conf" <<CONF
Dir::Etc::sourcelist "/dev/null"; Dir::Etc::sourceparts "$work/sources"; Dir::Etc::preferencesparts "$work/preferences.d";
Dir::State::Lists "$work/lists"; Dir::Cache "$work/cache"; Dir::State::status "/dev/null";
APT::Architectures { "$(dpkg --print-architecture)"; }; Acquire::Languages "none"; APT::Sandbox::User "root";
CONF
  export APT_CONFIG="$work/apt.conf"
  apt-get update -qq --error-on=any || return 1
  local version; version=$(apt-cache madison containerd | awk -F'|' '{gsub(/ /,"",$2); print $2}' | grep '^2\.' | sort -V | tail -n1)
  [ -n "$version" ] || { echo "setup: Debian's unstable/testing archive has no containerd 2.x"; return 1; }
  (cd "$work/pkg" && apt-get download -qq "containerd=$version") || return 1
  rm -rf "$containerd2_cache.tmp" && mkdir -p "$containerd2_cache.tmp"
  dpkg-deb -x "$work"/pkg/containerd_*.deb "$containerd2_cache.tmp"
  echo "$version" >"$containerd2_cache.tmp/DEBIAN-VERSION"
  "$containerd2_cache.tmp/usr/bin/containerd" --version | grep -q ' v\?2\.' || { echo "setup: the downloaded containerd $version does not run here"; return 1; }
  rm -rf "$containerd2_cache" && mv "$containerd2_cache.tmp" "$containerd2_cache"
  echo "setup: containerd $version unpacked into $containerd2_cache ($("$containerd2_cache/usr/bin/containerd" --version))"
}
if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null; then
  (fetch_docker) || echo "setup: could not unpack Debian's docker.io and tini into $docker_cache: the lab's docker-ce package (the Docker e2e row and tools/lab/test/packages/docker-cri-dockerd.test.ts) is unavailable until tools/setup.sh runs with the archive reachable"
  (fetch_containerd2) || echo "setup: could not fetch containerd 2.x from the machine's Debian mirror: the lab's containerd.io 2.x package (KUMI_LAB_CONTAINERD_IO=2: the e2e seed row and its runtime tests) is unavailable until tools/setup.sh runs with the archive reachable"
fi

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund
fi
