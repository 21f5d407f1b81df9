import {
  containsAddress,
  formatCidr,
  formatIpv4,
  type Ipv4Network,
  lastAddress,
  networksOverlap,
  parseCidr,
  parseHostPort,
  parseIpv4,
  reservedUse,
} from './ipv4';
import type { SpecProblem } from './problems';
import type { ClusterSpec } from './schema';

/** flannel gives every node a /24 of the pod network by default. */
const FLANNEL_NODE_PREFIX = 24;
/** kube-apiserver refuses IPv4 service ranges larger than a /12. */
const MAX_SERVICE_PREFIX_BITS = 12;

function error(path: SpecProblem['path'], message: string, fix: string): SpecProblem {
  return { severity: 'error', path, message, fix };
}

function cidr(text: string): Ipv4Network | undefined {
  const parsed = parseCidr(text);
  return 'network' in parsed ? parsed.network : undefined;
}

/**
 * Address-plan checks: the pod, service and host networks must not overlap, every host
 * and the VIP must sit inside the host network and be usable addresses.
 */
export function networkChecks(spec: ClusterSpec): SpecProblem[] {
  const problems: SpecProblem[] = [];
  const { network, hosts, loadBalancer, coordinator } = spec.spec;
  const hostNet = cidr(network.hostCIDR);
  const podNet = cidr(network.podCIDR);
  const serviceNet = cidr(network.serviceCIDR);
  const named: Array<[string, Ipv4Network | undefined, string]> = [
    ['podCIDR', podNet, network.podCIDR],
    ['serviceCIDR', serviceNet, network.serviceCIDR],
    ['hostCIDR', hostNet, network.hostCIDR],
  ];
  for (let i = 0; i < named.length; i += 1) {
    for (let j = i + 1; j < named.length; j += 1) {
      const [nameA, netA, textA] = named[i] as [string, Ipv4Network | undefined, string];
      const [nameB, netB, textB] = named[j] as [string, Ipv4Network | undefined, string];
      if (netA && netB && networksOverlap(netA, netB)) {
        problems.push(
          error(
            ['spec', 'network', nameA],
            `${nameA} ${textA} overlaps ${nameB} ${textB}`,
            `choose a ${nameA} that shares no address with ${textB}, e.g. ${nameA === 'podCIDR' ? '10.244.0.0/16' : '10.96.0.0/12'} or another private range`,
          ),
        );
      }
    }
  }
  const nodeCount = hosts.filter((host) => host.roles.includes('control-plane') || host.roles.includes('worker')).length;
  if (podNet && 2 ** Math.max(0, FLANNEL_NODE_PREFIX - podNet.prefix) < Math.max(1, nodeCount)) {
    problems.push(
      error(
        ['spec', 'network', 'podCIDR'],
        `podCIDR ${network.podCIDR} holds ${2 ** Math.max(0, FLANNEL_NODE_PREFIX - podNet.prefix)} node subnet(s) of /${FLANNEL_NODE_PREFIX} but the cluster has ${nodeCount} nodes`,
        'use a larger pod network, e.g. 10.244.0.0/16',
      ),
    );
  }
  if (serviceNet && serviceNet.prefix < MAX_SERVICE_PREFIX_BITS) {
    problems.push(
      error(
        ['spec', 'network', 'serviceCIDR'],
        `serviceCIDR ${network.serviceCIDR} is larger than a /${MAX_SERVICE_PREFIX_BITS}, which kube-apiserver refuses`,
        'use a prefix of /12 or longer, e.g. 10.96.0.0/12',
      ),
    );
  }
  hosts.forEach((host, index) => {
    const address = parseIpv4(host.address);
    if (address !== undefined) problems.push(...addressProblems(['spec', 'hosts', index, 'address'], `host ${host.name}`, address, hostNet));
  });
  if (loadBalancer) {
    const vip = parseIpv4(loadBalancer.vip);
    if (vip !== undefined) {
      problems.push(...addressProblems(['spec', 'loadBalancer', 'vip'], 'the VIP', vip, hostNet));
      hosts.forEach((host) => {
        if (parseIpv4(host.address) === vip) {
          problems.push(
            error(
              ['spec', 'loadBalancer', 'vip'],
              `the VIP ${loadBalancer.vip} is also the address of host ${host.name}`,
              `pick an unused address in ${network.hostCIDR} for the VIP`,
            ),
          );
        }
      });
    }
  }
  const coordinatorAddress = parseHostPort(coordinator.address);
  if (!('reason' in coordinatorAddress)) {
    const address = parseIpv4(coordinatorAddress.host);
    const clash = [podNet, serviceNet].find((net) => net && address !== undefined && containsAddress(net, address));
    if (clash) {
      problems.push(
        error(
          ['spec', 'coordinator', 'address'],
          `the coordinator address ${coordinatorAddress.host} is inside ${formatCidr(clash)}, which the cluster uses for pods or services`,
          'give the address of the machine running kumi serve, reachable from the hosts',
        ),
      );
    }
    if (loadBalancer && coordinatorAddress.host === loadBalancer.vip) {
      problems.push(
        error(['spec', 'coordinator', 'address'], 'the coordinator address is the VIP', 'give the address of the machine running kumi serve'),
      );
    }
  }
  return problems;
}

function addressProblems(
  path: SpecProblem['path'],
  what: string,
  address: number,
  hostNet: Ipv4Network | undefined,
): SpecProblem[] {
  const text = formatIpv4(address);
  const reserved = reservedUse(address);
  if (reserved) return [error(path, `${what} has address ${text}, which is ${reserved}`, 'use a unicast address of the host network')];
  const problems: SpecProblem[] = [];
  if (hostNet && !containsAddress(hostNet, address)) {
    problems.push(error(path, `${what} (${text}) is not in network.hostCIDR ${formatCidr(hostNet)}`, `use an address inside ${formatCidr(hostNet)} or correct network.hostCIDR`));
  } else if (hostNet && hostNet.prefix < 31 && (address === hostNet.base || address === lastAddress(hostNet))) {
    problems.push(
      error(path, `${what} (${text}) is the ${address === hostNet.base ? 'network' : 'broadcast'} address of ${formatCidr(hostNet)}`, `use an address between ${formatIpv4(hostNet.base + 1)} and ${formatIpv4(lastAddress(hostNet) - 1)}`),
    );
  }
  return problems;
}
