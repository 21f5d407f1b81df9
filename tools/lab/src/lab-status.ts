import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { anchorAlive } from './host-anchor';
import { hostFilePath } from './lab-paths';
import { readLabState } from './lab-state';
import { switchLinks, vethName } from './network';

/** One line of `kumi-lab status`. */
export interface HostStatus {
  name: string;
  role: string;
  address: string;
  anchorPid: number;
  state: 'up' | 'partitioned' | 'down';
  /** Services whose monitor reports them running (read from the host's /run). */
  services: string[];
}

/** Names of the services a host's records show running (empty for a host that is down). */
function runningServices(host: string): string[] {
  const dir = hostFilePath(host, '/run/kumi-lab/services');
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json') && !f.endsWith('.spec.json'))
    .filter((f) => {
      try {
        const state = (JSON.parse(readFileSync(path.join(dir, f), 'utf8')) as { state?: string }).state;
        return state === 'running' || state === 'exited';
      } catch {
        return false;
      }
    })
    .map((f) => f.slice(0, -'.json'.length))
    .sort();
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
    return {
      name: h.name,
      role: h.role,
      address: h.address,
      anchorPid: h.anchorPid,
      state: !alive ? 'down' : linkUp ? 'up' : 'partitioned',
      services: alive ? runningServices(h.name) : [],
    };
  });
  return { phase: state.phase, vip: state.topology.vip, hosts };
}
