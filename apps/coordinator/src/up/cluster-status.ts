import { existsSync, readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import type { AgentInfo__Output, ListAgentsResponse__Output } from '@kumi/proto';
import { controlCallError, openControlClient } from '../client/control-client';
import { Journal, type JournalRecord } from '../journal/journal';
import { SecretRegistry } from '../journal/secret-registry';
import { buildPlan } from '../plan';
import type { ClusterSpec } from '../spec';
import { statePaths } from '../state/state-paths';
import { journalPath } from './journal-recorder';

/** One host as `kumi status` reports it. */
export interface HostStatus {
  host: string;
  roles: string[];
  /** true/false from a running coordinator; undefined when none runs. */
  attached: boolean | undefined;
  last?: { path: string; status: string; time: string; errorCode?: string; note?: string };
  /** With a spec: plan entries of this host the journal says finished, of all. */
  done?: number;
  total?: number;
  /** With a spec: the first plan entry of this host not finished yet. */
  next?: string;
}

/** What `kumi status` shows. */
export interface ClusterStatus {
  dir: string;
  /** Who holds the cluster lock (a running `kumi up`), if anyone. */
  lockHolder?: string;
  coordinatorRunning: boolean;
  hosts: HostStatus[];
}

async function listAgents(socket: string): Promise<AgentInfo__Output[] | undefined> {
  if (!existsSync(socket)) return undefined;
  const client = openControlClient(socket);
  try {
    return await new Promise<AgentInfo__Output[] | undefined>((resolve, reject) => {
      client.ListAgents({}, { deadline: Date.now() + 5_000 }, (error, result?: ListAgentsResponse__Output) => {
        if (!error) return resolve(result?.agents ?? []);
        const problem = controlCallError(error, socket);
        // A socket left by a crashed coordinator: report from the journal alone.
        if (problem.exitCode === 4) resolve(undefined);
        else reject(problem);
      });
    });
  } finally {
    client.close();
  }
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function lockHolder(dir: string): string | undefined {
  const file = join(dir, 'kumi.lock');
  if (!existsSync(file)) return undefined;
  try {
    const owner = JSON.parse(readFileSync(file, 'utf8')) as { pid: number; host: string; command: string; since: string };
    const holder = `"${owner.command}" (pid ${owner.pid} on ${owner.host}, since ${owner.since})`;
    return owner.host === hostname() && !processAlive(owner.pid) ? `nothing; ${holder} is gone and left its lock (the next kumi up takes it over)` : holder;
  } catch {
    return `unknown (unreadable ${file})`;
  }
}

/**
 * Per host: its last journaled stage/step and result, whether its agent is attached (when
 * a coordinator runs: `kumi up` or `kumi serve`), and with a spec how far its plan got.
 */
export async function clusterStatus(dir: string, spec?: ClusterSpec): Promise<ClusterStatus> {
  const paths = statePaths(dir);
  const journal = new Journal(dir, new SecretRegistry());
  const records = journal.current();
  const agents = await listAgents(paths.controlSocket);
  const lastOf = new Map<string, JournalRecord>();
  for (const record of records) lastOf.set(record.host, record);
  const resetAt = new Map<string, JournalRecord>();
  for (const record of journal.read()) if (record.status === 'reset') resetAt.set(record.host, record);

  const roles = new Map<string, string[]>(spec?.spec.hosts.map((host) => [host.name, host.roles]) ?? []);
  const names = spec
    ? spec.spec.hosts.map((host) => host.name)
    : [...new Set([...records.map((record) => record.host), ...resetAt.keys(), ...(agents ?? []).map((agent) => agent.hostName)])].sort();
  const plan = spec ? buildPlan(spec) : undefined;
  const latest = journal.latest();

  const hosts = names.map((host): HostStatus => {
    const record = lastOf.get(host) ?? resetAt.get(host);
    const status: HostStatus = {
      host,
      roles: roles.get(host) ?? [],
      attached: agents === undefined ? undefined : agents.some((agent) => agent.hostName === host),
      ...(record
        ? {
            last: {
              path: record.status === 'reset' ? 'reset' : `${record.path}@${host}`,
              status: record.status,
              time: record.time,
              ...(record.error ? { errorCode: record.error.code } : {}),
              ...(record.note ? { note: record.note } : {}),
            },
          }
        : {}),
    };
    if (plan) {
      const entries = plan.stages.flatMap((stage) => stage.entries).filter((entry) => entry.host === host);
      const finished = (path: string) => ['done', 'noop'].includes(latest.get(`${path}@${host}`)?.status ?? '');
      status.done = entries.filter((entry) => finished(journalPath(entry))).length;
      status.total = entries.length;
      const next = entries.find((entry) => !finished(journalPath(entry)));
      if (next) status.next = next.path;
    }
    return status;
  });
  const holder = lockHolder(dir);
  return { dir, ...(holder ? { lockHolder: holder } : {}), coordinatorRunning: agents !== undefined, hosts };
}
