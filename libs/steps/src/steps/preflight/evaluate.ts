import type { HostFacts } from '../../facts';
import type { PreflightFinding, Listener } from './findings';
import type { PreflightParams } from './params';

/** What preflight reads beyond the host facts. */
export interface PreflightFacts {
  host: HostFacts;
  listeners: Listener[];
  /** Whether kubeadm already set this node up (kubelet.conf present). */
  nodeSetUp: boolean;
  /** timedatectl's NTPSynchronized: true, false, or undefined when it cannot be told. */
  timeSynced: boolean | undefined;
}

const MiB = 1024 ** 2;
const SUPPORTED: Record<string, number> = { debian: 11, ubuntu: 20.04, rhel: 8, rocky: 8, almalinux: 8, centos: 8, ol: 8, fedora: 39 };
const PORT_OWNERS: Record<number, RegExp> = {
  6443: /kube-apiserver/,
  2379: /etcd/,
  2380: /etcd/,
  10250: /kubelet/,
  10256: /kube-proxy/,
  10257: /kube-controller/,
  10259: /kube-scheduler/,
};

/** Every check with its result: findings (errors and warnings) and the names that passed. */
export function evaluatePreflight(facts: PreflightFacts, params: PreflightParams): { findings: PreflightFinding[]; passed: string[] } {
  const findings: PreflightFinding[] = [];
  const passed: string[] = [];
  const check = (name: string, problem: Omit<PreflightFinding, 'check'> | undefined): void => {
    if (problem === undefined) passed.push(name);
    else findings.push({ check: name, ...problem, severity: params.ignore.includes(name) ? 'warning' : problem.severity });
  };
  const { host } = facts;
  const controlPlane = params.roles.includes('control-plane');
  const node = controlPlane || params.roles.includes('worker');

  const minimum = SUPPORTED[host.os.id] ?? (host.os.family === 'rhel' ? 8 : undefined);
  check('os', minimum === undefined || host.os.family === 'unknown'
    ? { severity: 'error', message: `${host.os.prettyName || host.os.id} is not supported. Fix: use Debian 11+, Ubuntu 20.04+ or a RHEL-family 8+ system.` }
    : Number.parseFloat(host.os.version) < minimum
      ? { severity: 'error', message: `${host.os.prettyName} is too old (need ${host.os.id} ${minimum} or newer). Fix: upgrade the OS.` }
      : undefined);
  check('package-manager', host.packageManager === 'unknown'
    ? { severity: 'error', message: 'no apt or dnf found. Fix: use a Debian/Ubuntu (apt) or RHEL-family (dnf) system.' }
    : undefined);
  check('init-system', host.initSystem === 'systemd' ? undefined : {
    severity: host.initSystem === 'unknown' ? 'warning' : 'error',
    message: `the init system is ${host.initSystem}; kumi's steps drive the kubelet and services with systemd. Fix: use a systemd-based OS.`,
  });
  check('arch', ['amd64', 'x86_64', 'arm64', 'aarch64'].includes(host.arch) ? undefined
    : { severity: 'warning', message: `architecture ${host.arch} is untested with kumi (amd64 and arm64 are).` });
  check('hostname', /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/.test(host.hostName) && host.hostName.length <= 253 ? undefined
    : { severity: 'error', message: `host name "${host.hostName}" is not a lowercase RFC 1123 name, so it cannot be a node name. Fix: rename the host (hostnamectl set-hostname).` });

  if (controlPlane) {
    check('cpus', host.cpus < 2 ? { severity: 'error', message: `${host.cpus} CPU; a control plane needs at least 2. Fix: give the VM 2 or more vCPUs.` } : undefined);
    check('memory', host.memoryBytes < 1700 * MiB
      ? { severity: 'error', message: `${Math.round(host.memoryBytes / MiB)} MiB of memory; a control plane needs at least 1700 MiB (2 GiB recommended). Fix: give the VM more memory.` }
      : host.memoryBytes < 2048 * MiB ? { severity: 'warning', message: `${Math.round(host.memoryBytes / MiB)} MiB of memory; 2 GiB is recommended for a control plane.` } : undefined);
  } else if (node) {
    check('memory', host.memoryBytes < 1024 * MiB ? { severity: 'warning', message: `${Math.round(host.memoryBytes / MiB)} MiB of memory leaves little room for pods (1 GiB or more recommended).` } : undefined);
  }

  const others = params.peers;
  check('unique-hostname', others.some((peer) => peer.hostName === host.hostName)
    ? { severity: 'error', message: `another host is also named ${host.hostName}. Fix: give every host its own name.` } : undefined);
  const macs = host.interfaces.filter((iface) => !iface.virtual && iface.mac !== '' && iface.mac !== '00:00:00:00:00:00').map((iface) => iface.mac.toLowerCase());
  const sharedMacs = macs.filter((mac) => others.some((peer) => peer.macs.map((m) => m.toLowerCase()).includes(mac)));
  check('unique-mac', sharedMacs.length > 0 ? { severity: 'error', message: `MAC ${sharedMacs.join(', ')} is also on another host (cloned VM?). Fix: give each VM its own MAC addresses.` } : undefined);
  check('unique-product-uuid', host.productUuid !== '' && others.some((peer) => peer.productUuid === host.productUuid)
    ? { severity: 'error', message: `product_uuid ${host.productUuid} is also another host's (cloned VM?). Fix: give each VM its own SMBIOS UUID.` } : undefined);

  if (node) {
    check('swap', host.swap.totalBytes > 0 ? { severity: 'warning', message: `swap is on (${Math.round(host.swap.totalBytes / MiB)} MiB); the kubelet refuses to start with it. Step swap.off turns it off for good.` } : undefined);
    const major = Number(params.kubernetesVersion.split('.')[1]);
    check('cgroups', host.cgroupVersion === 1
      ? { severity: major >= 35 ? 'error' : 'warning', message: `cgroup v1 is ${major >= 35 ? 'no longer supported by the kubelet' : 'deprecated'} in Kubernetes ${params.kubernetesVersion}. Fix: boot with cgroup v2 (systemd.unified_cgroup_hierarchy=1).` }
      : undefined);
  }
  check('time-sync', facts.timeSynced === true ? undefined : {
    severity: 'warning',
    message: facts.timeSynced === false
      ? 'the clock is not synchronised (NTP); certificates and etcd need agreeing clocks. Fix: enable chrony or systemd-timesyncd.'
      : 'could not tell whether the clock is synchronised (no timedatectl).',
  });

  const ports = portsFor(params);
  const busy = ports.flatMap((port) => facts.listeners.filter((listener) => listener.port === port).slice(0, 1)).filter((listener) => !expectedOwner(listener, params, facts.nodeSetUp));
  check('ports', busy.length > 0
    ? { severity: 'error', message: `port${busy.length > 1 ? 's' : ''} ${busy.map((listener) => `${listener.port}/tcp (${listener.process ?? 'unknown process'})`).join(', ')} already in use. Fix: stop what listens there, or move it.` }
    : undefined);
  if (controlPlane && params.roles.includes('load-balancer') && params.lbFrontendPort === 6443) {
    check('lb-port', { severity: 'error', message: 'this host is a control plane and a load balancer, so HAProxy cannot use 6443 (the API server has it). Fix: set the load balancer port to another one, e.g. 8443.' });
  }
  return { findings, passed };
}

function portsFor(params: PreflightParams): number[] {
  const ports = new Set<number>();
  if (params.roles.includes('control-plane')) for (const port of [6443, 2379, 2380, 10250, 10257, 10259]) ports.add(port);
  if (params.roles.includes('worker')) for (const port of [10250, 10256]) ports.add(port);
  if (params.roles.includes('load-balancer')) ports.add(params.lbFrontendPort);
  return [...ports];
}

function expectedOwner(listener: Listener, params: PreflightParams, nodeSetUp: boolean): boolean {
  if (params.roles.includes('load-balancer') && listener.port === params.lbFrontendPort && listener.process === 'haproxy') return true;
  // A node kubeadm already set up serves these ports itself (a rerun must pass).
  if (nodeSetUp && listener.port in PORT_OWNERS) return true;
  return listener.process !== undefined && (PORT_OWNERS[listener.port]?.test(listener.process) ?? false);
}
