import { existsSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { labPaths } from './lab-paths';
import type { HostFirewall, HostOs, LabHost } from './topology';

/** What makes a lab host look like a given distribution to kumi's agent and steps. */
interface OsProfile {
  /** /etc/os-release (os-release(5)), as the distribution ships it. */
  osRelease: string;
  /** Package-manager commands the distribution has; the other family's are hidden in the host. */
  packageCommands: readonly string[];
}

/** Rocky Linux 9.5's /etc/os-release (rocky-release-9.5). */
const ROCKY_9 = `NAME="Rocky Linux"
VERSION="9.5 (Blue Onyx)"
ID="rocky"
ID_LIKE="rhel centos fedora"
VERSION_ID="9.5"
PLATFORM_ID="platform:el9"
PRETTY_NAME="Rocky Linux 9.5 (Blue Onyx)"
ANSI_COLOR="0;32"
LOGO="fedora-logo-icon"
CPE_NAME="cpe:/o:rocky:rocky:9::baseos"
HOME_URL="https://rockylinux.org/"
BUG_REPORT_URL="https://bugs.rockylinux.org/"
SUPPORT_END="2032-05-31"
ROCKY_SUPPORT_PRODUCT="Rocky-Linux-9"
ROCKY_SUPPORT_PRODUCT_VERSION="9.5"
REDHAT_SUPPORT_PRODUCT="Rocky Linux"
REDHAT_SUPPORT_PRODUCT_VERSION="9.5"
`;

/** AlmaLinux 9.5's /etc/os-release (almalinux-release-9.5). */
const ALMA_9 = `NAME="AlmaLinux"
VERSION="9.5 (Teal Serval)"
ID="almalinux"
ID_LIKE="rhel centos fedora"
VERSION_ID="9.5"
PLATFORM_ID="platform:el9"
PRETTY_NAME="AlmaLinux 9.5 (Teal Serval)"
ANSI_COLOR="0;34"
LOGO="fedora-logo-icon"
CPE_NAME="cpe:/o:almalinux:almalinux:9::baseos"
HOME_URL="https://almalinux.org/"
BUG_REPORT_URL="https://bugs.almalinux.org/"
ALMALINUX_MANTISBT_PROJECT="AlmaLinux-9"
ALMALINUX_MANTISBT_PROJECT_VERSION="9.5"
REDHAT_SUPPORT_PRODUCT="AlmaLinux"
REDHAT_SUPPORT_PRODUCT_VERSION="9.5"
`;

/** Ubuntu 22.04.5's /etc/os-release (base-files 12ubuntu4.7). */
const UBUNTU_2204 = `PRETTY_NAME="Ubuntu 22.04.5 LTS"
NAME="Ubuntu"
VERSION_ID="22.04"
VERSION="22.04.5 LTS (Jammy Jellyfish)"
VERSION_CODENAME=jammy
ID=ubuntu
ID_LIKE=debian
HOME_URL="https://www.ubuntu.com/"
SUPPORT_URL="https://help.ubuntu.com/"
BUG_REPORT_URL="https://bugs.launchpad.net/ubuntu/"
PRIVACY_POLICY_URL="https://www.ubuntu.com/legal/terms-and-policies/privacy-policy"
UBUNTU_CODENAME=jammy
`;

const APT = ['apt-get', 'apt-mark', 'dpkg-query'] as const;
const DNF = ['dnf', 'rpm'] as const;

/** debian-12 is the machine's own os-release (the lab runs on Debian 12). */
const PROFILES: Record<Exclude<HostOs, 'debian-12'>, OsProfile> & { 'debian-12': Omit<OsProfile, 'osRelease'> } = {
  'debian-12': { packageCommands: APT },
  'ubuntu-22.04': { osRelease: UBUNTU_2204, packageCommands: APT },
  'rocky-9': { osRelease: ROCKY_9, packageCommands: DNF },
  'almalinux-9': { osRelease: ALMA_9, packageCommands: DNF },
};

/** Every package-manager command some profile has: the ones a host's profile lacks are hidden in it. */
export const PACKAGE_MANAGER_COMMANDS: ReadonlySet<string> = new Set([...APT, ...DNF]);

/** The host's OS, debian-12 unless the topology says otherwise. */
export function hostOs(host: LabHost): HostOs {
  return host.os ?? 'debian-12';
}

/** The package-manager commands a host of this OS has. */
export function packageCommandsOf(host: LabHost): readonly string[] {
  return PROFILES[hostOs(host)].packageCommands;
}

/** Writes the host's /etc/os-release (a file in its /etc layer, over Debian's symlink) unless it is the machine's Debian 12. */
export function writeOsRelease(host: LabHost, etcUpper: string): void {
  const os = hostOs(host);
  const file = path.join(etcUpper, 'os-release');
  rmSync(file, { force: true });
  if (os === 'debian-12') return;
  writeFileSync(file, PROFILES[os].osRelease);
}

/**
 * A hardened Debian host's /etc/nftables.conf: Debian's shipped file with input and forward
 * policy drop; loopback, established/related, ICMP and SSH in. Anything else a role needs
 * must be opened (kumi's firewall step inserts its rules into these chains).
 */
export const HARDENED_NFTABLES_CONF = `#!/usr/sbin/nft -f

flush ruleset

table inet filter {
	chain input {
		type filter hook input priority filter; policy drop;
		iif "lo" accept
		ct state established,related accept
		ct state invalid drop
		meta l4proto { icmp, ipv6-icmp } accept
		tcp dport 22 accept
	}
	chain forward {
		type filter hook forward priority filter; policy drop;
	}
	chain output {
		type filter hook output priority filter;
	}
}
`;

/** The firewall a host runs from its boot, none unless the topology says otherwise. */
export function hostFirewall(host: LabHost): HostFirewall {
  return host.firewall ?? 'none';
}

/**
 * Enables the host's firewall the way its distribution does, so that its boot starts it:
 * firewalld.service (WantedBy=multi-user.target) or nftables.service (WantedBy=sysinit.target,
 * loading /etc/nftables.conf). Written once, like an installed system's /etc.
 */
export function enableBootFirewall(host: LabHost, etcUpper: string): void {
  const units = labPaths.hostLayer(host.name, 'systemd-system');
  const firewall = hostFirewall(host);
  const enable = (target: string, unit: string) => {
    const link = path.join(units, `${target}.wants`, unit);
    mkdirSync(path.dirname(link), { recursive: true });
    rmSync(link, { force: true });
    symlinkSync(`/usr/lib/systemd/system/${unit}`, link);
  };
  if (firewall === 'firewalld') enable('multi-user.target', 'firewalld.service');
  if (firewall === 'nftables') {
    enable('sysinit.target', 'nftables.service');
    const conf = path.join(etcUpper, 'nftables.conf');
    if (!existsSync(conf)) writeFileSync(conf, HARDENED_NFTABLES_CONF, { mode: 0o755 });
  }
}

/** The shell check that the host's boot firewall is in force: firewalld answering, or the drop policy loaded. */
export function bootFirewallCheck(firewall: HostFirewall): string | undefined {
  if (firewall === 'firewalld') return 'firewall-cmd --state';
  if (firewall === 'nftables') return "nft list chain inet filter input | grep -q 'policy drop'";
  return undefined;
}

/**
 * Waits (bounded) until the firewall the host boots with is in force, so that nothing starts in
 * the host (the kumi agent, a test) before it: on a real machine firewalld and nftables.service
 * come up before any service that listens. `check` runs a shell line in the host.
 */
export async function waitForBootFirewall(host: LabHost, check: (script: string) => Promise<boolean>, timeoutMs = 120_000): Promise<void> {
  const script = bootFirewallCheck(hostFirewall(host));
  if (!script) return;
  const deadline = Date.now() + timeoutMs;
  for (let attempt = 0; Date.now() < deadline; attempt++) {
    if (await check(script)) return;
    await sleep(Math.min(1000, 100 * 2 ** attempt));
  }
  throw new Error(`host ${host.name}: its ${hostFirewall(host)} firewall was not up ${timeoutMs / 1000} s after boot (check: ${script}; see its /var/log/kumi-lab/boot.log)`);
}
