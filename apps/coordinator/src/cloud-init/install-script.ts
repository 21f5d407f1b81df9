import { ARCH_PLACEHOLDER, type AgentSource } from './agent-source';

/** Where user-data puts the install script on the host. */
export const INSTALL_SCRIPT_PATH = '/usr/local/lib/kumi/install-kumi-agent.sh';

/** Where user-data puts the CA certificate the download is checked with (public). */
export const DOWNLOAD_CA_PATH = '/etc/kumi/coordinator-ca.crt';

/** A shell word that the shell reads back as exactly `text`. */
function shellQuote(text: string): string {
  return `'${text.replaceAll("'", `'\\''`)}'`;
}

/** The URL as a shell expression: {arch} becomes "$arch". */
function urlExpression(url: string): string {
  return url
    .split(ARCH_PLACEHOLDER)
    .map((part) => (part === '' ? '' : shellQuote(part)))
    .join('"$arch"');
}

/**
 * The POSIX sh script cloud-init runs (runcmd) on first boot: picks the file for the
 * host's CPU, downloads it with curl (or wget), over HTTPS checked with the CA in
 * DOWNLOAD_CA_PATH when the source has one, refuses it unless `sha256sum -c` accepts
 * it, then `kumi-agent install` and `systemctl enable --now kumi-agent`. It holds no
 * secret; the token is in /etc/kumi/agent.yaml.
 */
export function renderInstallScript(source: AgentSource): string {
  const curlCa = source.caCertPem ? ` --cacert ${DOWNLOAD_CA_PATH}` : '';
  const wgetCa = source.caCertPem ? ` --ca-certificate=${DOWNLOAD_CA_PATH}` : '';
  const perArch = source.url.includes(ARCH_PLACEHOLDER);
  const digestFor = (arch: 'x64' | 'arm64') => source.sha256[arch] ?? '';
  const pick = perArch
    ? `case "$(uname -m)" in
  x86_64 | amd64) arch=x64; sha256=${shellQuote(digestFor('x64'))} ;;
  aarch64 | arm64) arch=arm64; sha256=${shellQuote(digestFor('arm64'))} ;;
  *) fail "unsupported CPU architecture $(uname -m): kumi-agent ships for x86_64 and aarch64" ;;
esac
[ -n "$sha256" ] || fail "no checksum for the $arch agent in this user-data: build the $arch agent on the coordinator (nx run agent:package) and regenerate the user-data with kumi cloud-init"
`
    : `sha256=${shellQuote(source.sha256.any ?? '')}
`;
  return `#!/bin/sh
# Installs and starts kumi-agent (written by \`kumi cloud-init\`). Safe to run again.
set -eu
fail() { echo "kumi: $*" >&2; exit 1; }
${pick}url=${urlExpression(source.url)}
# Not in /tmp: images often mount it noexec.
mkdir -p /usr/local/lib/kumi
work=$(mktemp -d /usr/local/lib/kumi/download.XXXXXX)
trap 'rm -rf "$work"' EXIT
agent="$work/kumi-agent"
download() {
  if command -v curl >/dev/null 2>&1; then
    curl -fsSL${curlCa} --retry 5 --retry-delay 3 --retry-connrefused --connect-timeout 10 -o "$agent" "$url"
  elif command -v wget >/dev/null 2>&1; then
    wget -q${wgetCa} --tries=5 --waitretry=3 --retry-connrefused --timeout=30 -O "$agent" "$url"
  else
    fail "neither curl nor wget is installed: install one of them, or put curl in the image"
  fi
}
tries=0
until download; do
  tries=$((tries + 1))
  [ "$tries" -lt 5 ] || fail "cannot download $url"
  sleep $((tries * 5))
done
echo "$sha256  $agent" | sha256sum -c - \\
  || fail "$url does not have sha256 $sha256: refusing to run it (wrong file, or tampered with)"
chmod 0755 "$agent"
"$agent" install
systemctl enable --now kumi-agent
`;
}
