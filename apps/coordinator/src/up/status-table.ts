import type { ClusterStatus } from './cluster-status';
import { textTable } from '../output/text-table';

/** `kumi status` as a header and one row per host. */
export function statusTable(status: ClusterStatus): string {
  const header = [
    `cluster state: ${status.dir}`,
    status.lockHolder ? `running: ${status.lockHolder}` : 'running: nothing (no kumi up holds the cluster lock)',
    status.coordinatorRunning ? 'agents: live, from the running coordinator' : 'agents: unknown (no coordinator running; from the journal alone)',
  ];
  const withPlan = status.hosts.some((host) => host.total !== undefined);
  const rows = status.hosts.map((host) => [
    host.host,
    host.roles.join(',') || '-',
    host.attached === undefined ? '?' : host.attached ? 'attached' : 'absent',
    ...(withPlan ? [`${host.done ?? 0}/${host.total ?? 0}`] : []),
    host.last?.path ?? '-',
    host.last ? `${host.last.status}${host.last.errorCode ? ` ${host.last.errorCode}` : ''}` : '-',
    host.last?.time.replace('T', ' ').slice(0, 19) ?? '-',
    ...(withPlan ? [host.next ?? (host.total ? 'all done' : '-')] : []),
  ]);
  const columns = ['HOST', 'ROLES', 'AGENT', ...(withPlan ? ['DONE'] : []), 'LAST STEP', 'RESULT', 'TIME (UTC)', ...(withPlan ? ['NEXT'] : [])];
  return `${header.join('\n')}\n\n${rows.length ? textTable(columns, rows) : 'no hosts in the journal yet\n'}`;
}
