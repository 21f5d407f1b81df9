import { type Journal, type JournalRecord, RESET_PATH } from '../journal/journal';
import type { ClusterMembers } from '../plan';

/** The journal paths whose success makes a host a member, and the role it then has. */
const MEMBERSHIP: Readonly<Record<string, 'control-plane' | 'worker'>> = {
  'init/kubeadm.init': 'control-plane',
  'join-control-planes/kubeadm.join': 'control-plane',
  'join-workers/kubeadm.join': 'worker',
};

/**
 * The cluster's current hosts as the coordinator's journal records them: a host is a member
 * once its kubeadm init or join finished (done, or noop: found joined), and stops being one
 * when a reset record covers it (`kumi reset`, or the end of `kumi remove`). In join order.
 */
export function membersOfRecords(records: readonly JournalRecord[]): ClusterMembers {
  const joined = new Map<string, 'control-plane' | 'worker'>();
  for (const record of records) {
    const role = MEMBERSHIP[record.path];
    if (role !== undefined && (record.status === 'done' || record.status === 'noop') && !joined.has(record.host)) joined.set(record.host, role);
  }
  const withRole = (role: 'control-plane' | 'worker') => [...joined].filter(([, has]) => has === role).map(([host]) => host);
  return { controlPlanes: withRole('control-plane'), workers: withRole('worker'), removed: [] };
}

/** The note of the reset record that ends a host's removal. */
export const REMOVED_NOTE = 'removed from the cluster by kumi remove';

/** Hosts whose latest journal record is the end of a removal. */
export function removedHosts(records: readonly JournalRecord[]): string[] {
  const last = new Map<string, JournalRecord>();
  for (const record of records) last.set(record.host, record);
  return [...last.values()].filter((record) => record.status === 'reset' && record.workflow === 'remove').map((record) => record.host);
}

/** The cluster's members (resets applied) and the hosts removals took out. */
export function clusterMembers(journal: Journal): ClusterMembers {
  return { ...membersOfRecords(journal.current()), removed: removedHosts(journal.read()) };
}

/** Journals that `host` left the cluster: its earlier records stop counting, so a later `kumi up` that lists it again starts over. */
export function recordRemoved(journal: Journal, run: string, host: string): void {
  journal.append({ run, workflow: 'remove', path: RESET_PATH, host, status: 'reset', note: REMOVED_NOTE });
}
