import { anchorAlive } from './host-anchor';
import { readLabState } from './lab-state';
import { switchLinks, vethName } from './network';

/** One line of `kumi-lab status`. */
export interface HostStatus {
  name: string;
  role: string;
  address: string;
  anchorPid: number;
  state: 'up' | 'partitioned' | 'down';
}

/** The lab's hosts, whether each runs, and whether its link is up. */
export async function labStatus(): Promise<{ phase: string; vip: string; hosts: HostStatus[] } | undefined> {
  const state = readLabState();
  if (!state) return undefined;
  const links = state.switch ? await switchLinks(state.switch.pid).catch(() => '') : '';
  const order = state.topology.hosts.map((h) => h.name);
  const records = Object.values(state.hosts).sort((a, b) => order.indexOf(a.name) - order.indexOf(b.name));
  const hosts = records.map((h): HostStatus => {
    const alive = anchorAlive({ pid: h.anchorPid, pidNs: h.pidNs });
    const linkLine = links.split('\n').find((l) => l.includes(` ${vethName(h.name)}@`));
    const linkUp = linkLine !== undefined && /[<,]UP[,>]/.test(linkLine);
    return { name: h.name, role: h.role, address: h.address, anchorPid: h.anchorPid, state: !alive ? 'down' : linkUp ? 'up' : 'partitioned' };
  });
  return { phase: state.phase, vip: state.topology.vip, hosts };
}
