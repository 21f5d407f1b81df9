import type { FirewallParams } from './params';

/** What a host's roles need open. */
export interface RolePorts {
  /** "6443", "2379-2380", ... (firewalld's range form). */
  tcp: string[];
  udp: string[];
  /** VRRP (IP protocol 112) for keepalived on load balancers. */
  vrrp: boolean;
}

const FLANNEL_PORTS: Record<FirewallParams['flannelBackend'], string | undefined> = {
  vxlan: '8472',
  udp: '8285',
  wireguard: '51820',
  'host-gw': undefined,
};

/** The ports of kubeadm's port table for these roles, plus flannel's and the extras. */
export function rolePorts(params: FirewallParams): RolePorts {
  const tcp = new Set<string>();
  const udp = new Set<string>();
  const isNode = params.roles.includes('control-plane') || params.roles.includes('worker');
  if (params.roles.includes('control-plane')) for (const port of ['6443', '2379-2380', '10250', '10257', '10259']) tcp.add(port);
  if (params.roles.includes('worker')) {
    for (const port of ['10250', '10256', params.nodePortRange]) tcp.add(port);
    // NodePort Services take UDP as well as TCP (kubernetes/website
    // content/en/docs/reference/networking/ports-and-protocols.md, Worker node(s) table).
    udp.add(params.nodePortRange);
  }
  if (params.roles.includes('load-balancer')) tcp.add(String(params.lbFrontendPort));
  const flannel = FLANNEL_PORTS[params.flannelBackend];
  if (isNode && flannel !== undefined) udp.add(flannel);
  for (const extra of params.extraPorts) {
    const [port = '', protocol] = extra.split('/');
    (protocol === 'udp' ? udp : tcp).add(port);
  }
  return { tcp: [...tcp], udp: [...udp], vrrp: params.roles.includes('load-balancer') };
}

/** Every port as "PORT/PROTO" in firewalld's form. */
export function portSpecs(ports: RolePorts): string[] {
  return [...ports.tcp.map((port) => `${port}/tcp`), ...ports.udp.map((port) => `${port}/udp`)];
}
