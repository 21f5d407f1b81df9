import { writeFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { anchorAlive, bootAnchor, namespaceId, pidsInNetNamespaces, withoutMachineNetNamespaces } from './host-anchor';
import { prepareHostFs } from './host-fs';
import { waitForBootFirewall } from './host-os';
import { inHost } from './in-host';
import { labPaths } from './lab-paths';
import { readLabState, writeLabState, type HostRecord, type LabState } from './lab-state';
import { setHostLink, wireHost } from './network';
import type { LabHost, Topology } from './topology';

/** Boots one host (fresh /run, disks kept) and plugs it into the bridge; records it in state.json. */
export async function bootHost(host: LabHost, topology: Topology, switchPid: number): Promise<HostRecord> {
  prepareHostFs(host, topology);
  const anchor = await bootAnchor(host.name);
  const record: HostRecord = { name: host.name, address: host.address, role: host.role, anchorPid: anchor.pid, pidNs: anchor.pidNs };
  updateState((s) => {
    s.hosts[host.name] = record;
  });
  await wireHost(switchPid, host.name, anchor.pid, host.address);
  writeFileSync(labPaths.hostWired(host.name), '');
  await waitForBootFirewall(host, async (script) => (await inHost(host.name, ['sh', '-c', script], { timeoutMs: 10_000 })).exitCode === 0);
  return record;
}

/** Powers a host off hard: SIGKILL to its PID 1 takes every process with it, then its netns and link vanish. */
export async function killHost(record: HostRecord, timeoutMs = 5000): Promise<void> {
  const anchor = { pid: record.anchorPid, pidNs: record.pidNs };
  if (!anchorAlive(anchor)) return;
  const netNs = withoutMachineNetNamespaces([namespaceId(record.anchorPid, 'net')]);
  signal(record.anchorPid, 'SIGKILL');
  // nsenter parents and other helpers joined the netns without the PID namespace.
  for (const pid of pidsInNetNamespaces(netNs)) signal(pid, 'SIGKILL');
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const left = anchorAlive(anchor) || pidsInNetNamespaces(netNs).length > 0;
    if (!left) return;
    await sleep(20);
  }
  throw new Error(`host ${record.name} (anchor ${record.anchorPid}) still has processes after ${timeoutMs} ms`);
}

/** Pulls a host's cable (partition) or plugs it back in (heal). */
export async function setPartitioned(host: string, partitioned: boolean): Promise<void> {
  await setHostLink(runningSwitch().pid, host, !partitioned);
}

/** The running switch namespace's process; a clear error when the lab is not up. */
export function runningSwitch(): { pid: number; netNs: string } {
  const sw = readLabState()?.switch;
  if (!sw || namespaceId(sw.pid, 'net') !== sw.netNs) throw new Error('the lab switch is not running: run `kumi-lab down` then `kumi-lab up`');
  return sw;
}

/** Sends a signal, ignoring processes that are already gone. */
export function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    // gone already
  }
}

/** Reads, changes and writes state.json in one go. */
export function updateState(change: (state: LabState) => void): LabState {
  const state = readLabState();
  if (!state) throw new Error('no lab state: run `kumi-lab up` first');
  change(state);
  writeLabState(state);
  return state;
}
