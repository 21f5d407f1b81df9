import { planOf } from '../../plan';
import { StepFailure } from '../../run-types';
import type { HostReader, Step } from '../../step';
import { type EtcdSnapshotParams, etcdSnapshotParams, SNAPSHOT_DIR } from './params';
import { parseSnapshotStatus, type SnapshotStatus } from './snapshot-status';

/** kubeadm's etcd client certificate for tools (the one its etcd liveness probe used). */
const ETCD_PKI = '/etc/kubernetes/pki/etcd';
const TLS_FILES = [`${ETCD_PKI}/ca.crt`, `${ETCD_PKI}/healthcheck-client.crt`, `${ETCD_PKI}/healthcheck-client.key`];

/** What etcd.snapshot reads. */
export interface EtcdSnapshotFacts {
  /** The command that reads a snapshot's status: etcdutl (etcd ≥ 3.5), else etcdctl's deprecated form. */
  statusTool: 'etcdutl' | 'etcdctl';
  /** The snapshot of this name already on the host: its status, or "broken" when status fails. */
  existing: SnapshotStatus | 'broken' | undefined;
}

/** Outputs of etcd.snapshot: where the file is and what it holds. */
export interface EtcdSnapshotOutputs {
  path: string;
  name: string;
  sizeBytes: number;
  sha256: string;
  status: SnapshotStatus;
}

function statusArgv(tool: EtcdSnapshotFacts['statusTool'], file: string): string[] {
  return [tool, 'snapshot', 'status', file, '-w', 'json'];
}

async function readStatus(host: HostReader, tool: EtcdSnapshotFacts['statusTool'], file: string): Promise<SnapshotStatus | undefined> {
  const result = await host.probe(statusArgv(tool, file));
  return result.exitCode === 0 ? parseSnapshotStatus(result.stdout) : undefined;
}

/**
 * An etcd snapshot of the local member, as etcd's and kubeadm's docs take one: `etcdctl
 * snapshot save` over the client URL with the etcd CA and a client certificate (etcdctl writes
 * FILE.part and renames it when complete, so no half-written file ever has the name), then
 * `snapshot status` must read it. The file stays 0600 under /var/lib/kumi/backups, from where
 * the agent hands it to the coordinator. A snapshot of this name that reads fine is a noop;
 * one that does not is taken again.
 */
export const etcdSnapshot: Step<EtcdSnapshotParams, EtcdSnapshotFacts, EtcdSnapshotOutputs> = {
  id: 'etcd.snapshot',
  title: 'Take an etcd snapshot of the local member',
  params: etcdSnapshotParams,

  async check(host, params) {
    if ((await host.probe(['etcdctl', 'version'])).exitCode !== 0) {
      throw new StepFailure('CHECK_FAILED', `etcdctl is not installed on ${host.facts.hostName}. Fix: install the etcd client (Debian/Ubuntu: apt-get install etcd-client; RHEL: the etcd package) on the control plane, then rerun.`);
    }
    for (const file of TLS_FILES) {
      if (!(await host.exists(file))) throw new StepFailure('CHECK_FAILED', `${file} is missing on ${host.facts.hostName}: it is not a kubeadm control plane with a local etcd member. Fix: take the snapshot on a control plane.`);
    }
    const statusTool = (await host.probe(['etcdutl', 'version'])).exitCode === 0 ? 'etcdutl' : 'etcdctl';
    const file = `${SNAPSHOT_DIR}/${params.name}`;
    const existing = (await host.exists(file)) ? ((await readStatus(host, statusTool, file)) ?? 'broken') : undefined;
    return { statusTool, existing };
  },

  plan(facts, params) {
    const file = `${SNAPSHOT_DIR}/${params.name}`;
    if (facts.existing !== undefined && facts.existing !== 'broken') {
      return planOf([], `snapshot ${file} already taken (revision ${facts.existing.revision}, ${facts.existing.totalKey} keys)`);
    }
    const [ca, cert, key] = TLS_FILES as [string, string, string];
    return planOf(
      [
        { kind: 'run', argv: ['install', '-d', '-m', '0700', SNAPSHOT_DIR], why: 'snapshots hold every Secret of the cluster: root only' },
        {
          kind: 'run',
          argv: ['etcdctl', `--endpoints=${params.endpoint}`, `--cacert=${ca}`, `--cert=${cert}`, `--key=${key}`, 'snapshot', 'save', file],
          // Also over a file of this name that does not read as a snapshot (an earlier run broken off).
          why: 'snapshot the local member (etcdctl writes FILE.part and renames it once complete)',
        },
        { kind: 'run', argv: ['chmod', '0600', file], why: 'snapshots hold every Secret of the cluster: root only' },
        { kind: 'run', argv: statusArgv(facts.statusTool, file), why: 'the snapshot must read back before it counts' },
      ],
      'unreachable',
    );
  },

  async outputs(host, params, facts) {
    const file = `${SNAPSHOT_DIR}/${params.name}`;
    const status = await readStatus(host, facts.statusTool, file);
    const sum = await host.probe(['sha256sum', file]);
    const size = await host.probe(['stat', '-c', '%s', file]);
    const sha256 = /^([0-9a-f]{64})\s/.exec(sum.stdout)?.[1];
    if (status === undefined || sha256 === undefined || size.exitCode !== 0) {
      throw new StepFailure('CHECK_FAILED', `cannot read back ${file} on ${host.facts.hostName}: ${[sum.stderr, size.stderr].join(' ').trim() || 'snapshot status failed'}`);
    }
    return { path: file, name: params.name, sizeBytes: Number(size.stdout.trim()), sha256, status };
  },
};
