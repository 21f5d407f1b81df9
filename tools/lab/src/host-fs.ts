import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { cpSync, existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { HostInfo } from '@kumi/lab-standins/host/host-info';
import { packagedCommands } from '@kumi/lab-standins/packages/catalog';
import { hiddenMachinePackages, MACHINE_FILES_DIR, machinePackageFiles } from '@kumi/lab-standins/packages/machine-packages';
import { readMachineCgroupFacts } from '@kumi/lab-standins/kubeadm/preflight-cgroups';
import { BRIDGE_ADDRESS, hostFilePath, labDir, labPaths, OVERLAY_DIRS } from './lab-paths';
import { enableBootFirewall, PACKAGE_MANAGER_COMMANDS, packageCommandsOf, writeOsRelease } from './host-os';
import type { LabHost, Topology } from './topology';

/**
 * Prepares a host's overlay layers before it boots: fresh /run, the identity files in /etc
 * (kept across boots once written, like a disk) and the stand-in commands in /usr.
 */
export function prepareHostFs(host: LabHost, topology: Topology): void {
  for (const { layer } of OVERLAY_DIRS) {
    const dir = labPaths.hostLayer(host.name, layer);
    // /run is a tmpfs on a real machine: nothing survives a reboot. Overlay work dirs must be clean.
    if (layer === 'run') rmSync(path.join(dir, 'upper'), { recursive: true, force: true });
    rmSync(path.join(dir, 'work'), { recursive: true, force: true });
    mkdirSync(path.join(dir, 'upper'), { recursive: true });
    mkdirSync(path.join(dir, 'work'), { recursive: true });
  }
  writeUnitDir(host.name);
  writeEtc(host, topology);
  installBaseCommands(host);
  hideMachinePackages(host.name);
  hideMachineSysctls(host.name);
}

/**
 * A fresh VM has no container runtime, no load balancer and no CNI plugins: the machine's own
 * containerd, runc, HAProxy, keepalived and containernetworking-plugins files (binaries, units,
 * config, /usr/lib/cni) are hidden behind whiteouts until apt-get/dnf installs the package
 * (the plugins come with kubernetes-cni, in /opt/cni/bin), which puts the machine's files back
 * (packages/machine-packages.ts, from the copies staged in LAB/machine-files). A file the
 * host already has in its upper layer (installed, written or removed earlier) is left alone.
 */
function hideMachinePackages(host: string): void {
  for (const deb of hiddenMachinePackages()) {
    const files = machinePackageFiles(deb);
    stageMachineFiles(deb, files);
    for (const file of files) {
      const inUpper = hostFilePath(host, file);
      if (lexists(inUpper)) continue;
      mkdirSync(path.dirname(inUpper), { recursive: true });
      execFileSync('mknod', [inUpper, 'c', '0', '0']);
    }
  }
}

/** Copies a Debian package's files into LAB/machine-files/DEB once per lab (symlinks kept as symlinks). */
function stageMachineFiles(deb: string, files: string[]): void {
  const store = path.join(labDir(), MACHINE_FILES_DIR, deb);
  if (existsSync(store)) return;
  const staging = `${store}.${process.pid}.tmp`;
  rmSync(staging, { recursive: true, force: true });
  for (const file of files) cpSync(file, path.join(staging, file), { verbatimSymlinks: true });
  mkdirSync(staging, { recursive: true });
  renameSync(staging, store);
}

function writeEtc(host: LabHost, topology: Topology): void {
  const etc = path.join(labPaths.hostLayer(host.name, 'etc'), 'upper');
  const info: HostInfo = { host: host.name, address: host.address, labDir: labDir(), vip: topology.vip, bridgeAddress: BRIDGE_ADDRESS };
  mkdirSync(path.join(etc, 'kumi-lab'), { recursive: true });
  writeFileSync(path.join(etc, 'kumi-lab', 'host.json'), `${JSON.stringify(info, null, 2)}\n`);
  writeFileSync(path.join(etc, 'hostname'), `${host.name}\n`);
  const hosts = [
    '127.0.0.1\tlocalhost',
    `127.0.1.1\t${host.name}`,
    '::1\tlocalhost ip6-localhost ip6-loopback',
    `${BRIDGE_ADDRESS}\tkumi-coordinator`,
    `${topology.vip}\tkumi-vip`,
    ...topology.hosts.map((h) => `${h.address}\t${h.name}`),
  ];
  writeFileSync(path.join(etc, 'hosts'), `${hosts.join('\n')}\n`);
  writeOnce(path.join(etc, 'machine-id'), `${randomBytes(16).toString('hex')}\n`);
  writeOsRelease(host, etc);
  // kubeadm's cgroups validator and the kubelet read these: the host's fresh sysfs shows no cgroups.
  writeFileSync(path.join(etc, 'kumi-lab', 'machine-cgroups.json'), `${JSON.stringify(readMachineCgroupFacts())}\n`);
  enableBootFirewall(host, etc);
  // A fresh cloud VM has a swap file in fstab, which kubeadm's preflight rejects.
  const fstab = existsSync('/etc/fstab') ? readFileSync('/etc/fstab', 'utf8') : '';
  writeOnce(path.join(etc, 'fstab'), `${fstab.trimEnd()}\n/swap.img\tnone\tswap\tsw\t0\t0\n`.trimStart());
}

/**
 * The host's own /etc/systemd/system (bind-mounted over the overlay's): empty on a fresh host
 * but for the lab's drop-ins. Debian's dbus-daemon runs with `--address=systemd:` on a socket
 * systemd passes it; in the lab the bus opens its own socket instead (firewalld needs that bus),
 * so dbus.socket is masked: the systemctl stand-in would otherwise start its socket holder first
 * (dbus.service Requires= it) and the bus could not bind its address.
 */
function writeUnitDir(host: string): void {
  const dir = labPaths.hostLayer(host, 'systemd-system');
  mkdirSync(dir, { recursive: true });
  rmSync(path.join(dir, 'dbus.socket'), { force: true });
  symlinkSync('/dev/null', path.join(dir, 'dbus.socket'));
  mkdirSync(path.join(dir, 'dbus.service.d'), { recursive: true });
  writeFileSync(
    path.join(dir, 'dbus.service.d', 'kumi-lab.conf'),
    '[Service]\nExecStartPre=/usr/bin/mkdir -p /run/dbus\nExecStart=\nExecStart=/usr/bin/dbus-daemon --system --nofork --nopidfile\n',
  );
  mkdirSync(path.join(dir, 'firewalld.service.d'), { recursive: true });
  writeFileSync(path.join(dir, 'firewalld.service.d', 'kumi-lab.conf'), '[Unit]\nRequires=dbus.service\n');
}

/**
 * Only net.* sysctls are per network namespace; the others (kernel.*, vm.*, fs.*) belong to the
 * machine, so a host's /proc/sys is read-only outside /proc/sys/net. For `sysctl --system` in a
 * host to still succeed, the machine's own sysctl.d files that set such keys are hidden (whiteouts).
 */
function hideMachineSysctls(host: string): void {
  for (const [dir, layer, rel] of [
    ['/usr/lib/sysctl.d', 'usr', 'lib/sysctl.d'],
    ['/etc/sysctl.d', 'etc', 'sysctl.d'],
  ] as const) {
    if (!existsSync(dir)) continue;
    for (const f of readdirSync(dir)) {
      const machineFile = path.join(dir, f);
      if (!f.endsWith('.conf') || !setsMachineWideKey(machineFile)) continue;
      const inUpper = path.join(labPaths.hostLayer(host, layer), 'upper', rel, f);
      if (lexists(inUpper)) continue;
      mkdirSync(path.dirname(inUpper), { recursive: true });
      execFileSync('mknod', [inUpper, 'c', '0', '0']);
    }
  }
}

function setsMachineWideKey(file: string): boolean {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return false;
  }
  return text
    .split('\n')
    .map((l) => l.trim())
    .some((l) => l && !l.startsWith('#') && !l.startsWith(';') && !l.startsWith('-') && !l.replace(/\//g, '.').startsWith('net.'));
}

function lexists(file: string): boolean {
  try {
    lstatSync(file);
    return true;
  } catch {
    return false;
  }
}

function writeOnce(file: string, content: string): void {
  if (!existsSync(file)) writeFileSync(file, content);
}

/** Where a stand-in replaces a real command: Debian's location when the machine has one. */
export function commandPathInHost(command: string): string {
  return existsSync(`/usr/sbin/${command}`) && !existsSync(`/usr/bin/${command}`) ? `/usr/sbin/${command}` : `/usr/bin/${command}`;
}

function installBaseCommands(host: LabHost): void {
  const usr = path.join(labPaths.hostLayer(host.name, 'usr'), 'upper');
  const packaged = packagedCommands();
  // A RHEL-family host has dnf and no apt; a Debian-family host the reverse.
  const own = new Set(packageCommandsOf(host));
  for (const command of PACKAGE_MANAGER_COMMANDS) {
    if (own.has(command)) continue;
    const inUpper = path.join(usr, commandPathInHost(command).slice('/usr/'.length));
    rmSync(inUpper, { force: true });
    if (!lexists(`/usr/bin/${command}`)) continue;
    mkdirSync(path.dirname(inUpper), { recursive: true });
    execFileSync('mknod', [inUpper, 'c', '0', '0']);
  }
  // A fresh host has none of the packaged commands, even where the machine has one (e.g. its
  // own kubectl): hide those behind overlayfs whiteouts (0/0 character devices) until installed.
  for (const command of packaged) {
    const inUpper = path.join(usr, 'bin', command);
    if (!lexists(`/usr/bin/${command}`) || lexists(inUpper)) continue;
    mkdirSync(path.dirname(inUpper), { recursive: true });
    execFileSync('mknod', [inUpper, 'c', '0', '0']);
  }
  const commands = existsSync(labPaths.bin()) ? readdirSync(labPaths.bin()).filter((c) => !packaged.has(c) && (own.has(c) || !PACKAGE_MANAGER_COMMANDS.has(c))) : [];
  for (const command of commands) {
    const link = path.join(usr, commandPathInHost(command).slice('/usr/'.length));
    mkdirSync(path.dirname(link), { recursive: true });
    rmSync(link, { force: true });
    symlinkSync(path.join(labPaths.bin(), command), link);
  }
}
