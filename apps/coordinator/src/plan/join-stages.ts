import type { HostSpec } from '../spec';
import { API_SERVER_PORT, entry, type PlanContext } from './entry';
import { apiHealthy, etcdHealthy, nodesReady, tcpReachable } from './readiness';
import type { PlanEntry, PlanStage, Readiness, StageId } from './types';

const ETCD_CLIENT_PORT = 2379;
const ETCD_PEER_PORT = 2380;

/** kubeadm deletes the uploaded certificates 2 h after the upload; re-upload this long before. */
const CERTS_RENEW_BEFORE = '30m';

/** The lane of a host's join in a stage: `stage@host` (see PlanEntry.lane). */
export function joinLane(stage: StageId, host: Pick<HostSpec, 'name'>): string {
  return `${stage}@${host.name}`;
}

/** The path the plan gives a step of a lane (entry() makes the same). */
function lanePath(stage: StageId, step: string, host: HostSpec): string {
  return `${stage}/${step}@${host.name}`;
}

/**
 * One host's join lane, every step visible in the plan: for a control plane the
 * certificates (re-)uploaded on the healthy control plane, then a fresh token created
 * there, the join, and the token deleted there again (also after a failed join), then
 * the admin kubeconfig. The token and key are minted by the coordinator and only ever
 * handed over in memory; the token's public id is journaled before it is created.
 * The lane's health gates sit on its first entry: no secret is made (and no token TTL
 * burns) until the cluster and the joining host's paths are known good.
 */
function joinLaneEntries(ctx: PlanContext, stage: StageId, host: HostSpec, role: 'control-plane' | 'worker', gates: Readiness[]): PlanEntry[] {
  const { spec, firstControlPlane: healthy } = ctx;
  const { kubernetes, runtime } = spec.spec;
  const lane = joinLane(stage, host);
  const upload = lanePath(stage, 'kubeadm.upload-certs', host);
  const create = lanePath(stage, 'kubeadm.token-create', host);
  const entries: PlanEntry[] = [];
  if (role === 'control-plane') {
    entries.push(
      entry(stage, host, 'kubeadm.upload-certs', { kubernetesVersion: kubernetes.version, renewBefore: CERTS_RENEW_BEFORE }, {
        runOn: healthy,
        lane,
        gates,
        secrets: [{ name: 'certificateKey', mint: { how: 'lane', installedBy: upload, when: 'a fresh key when the last upload is older than 2h minus renewBefore, else the current one (NOOP while the cluster still holds it)' } }],
      }),
    );
  }
  entries.push(
    entry(stage, host, 'kubeadm.token-create', { kubernetesVersion: kubernetes.version, ttl: `${spec.spec.join.tokenTtlMinutes}m`, description: `kumi join ${host.name}` }, {
      runOn: healthy,
      lane,
      ...(role === 'worker' ? { gates } : {}),
      secrets: [{ name: 'bootstrapToken', mint: { how: 'lane', installedBy: create, when: 'a fresh token per join run, its id journaled before the create' } }],
    }),
  );
  const params = {
    role,
    kubernetesVersion: kubernetes.version,
    controlPlaneEndpoint: ctx.endpoint,
    ...(role === 'control-plane' ? { advertiseAddress: host.address, bindPort: API_SERVER_PORT } : {}),
    runtime,
    nodeName: host.name,
  };
  entries.push(
    entry(stage, host, 'kubeadm.join', params, {
      lane,
      secrets: [
        { name: 'bootstrapToken', mint: { how: 'lane', installedBy: create, when: 'the token of this lane' } },
        ...(role === 'control-plane' ? [{ name: 'certificateKey' as const, mint: { how: 'lane' as const, installedBy: upload, when: 'the key of the last upload' } }] : []),
      ],
      inputs: [{ param: 'caCertHashes', source: 'ca-cert-hash', required: true }],
    }),
    entry(stage, host, 'kubeadm.token-delete', {}, { runOn: healthy, lane, cleanup: true, inputs: [{ param: 'tokenId', source: 'lane-token-id', required: true }] }),
  );
  return entries;
}

/** The other control planes join one at a time, each gated on API and etcd health. */
export function joinControlPlanesStage(ctx: PlanContext): PlanStage {
  const { topology, endpoint, firstControlPlane: cp1 } = ctx;
  const entries = topology.controlPlanes
    .filter((host) => host !== cp1)
    .flatMap((host) => [
      ...joinLaneEntries(ctx, 'join-control-planes', host, 'control-plane', [
        apiHealthy(cp1, endpoint),
        etcdHealthy(cp1, endpoint),
        tcpReachable('endpoint-reachable', host, endpoint.host, endpoint.port, 'the API endpoint'),
        tcpReachable('etcd-client-reachable', host, cp1.address, ETCD_CLIENT_PORT, `etcd client port of ${cp1.name}`),
        tcpReachable('etcd-peer-reachable', host, cp1.address, ETCD_PEER_PORT, `etcd peer port of ${cp1.name}`),
      ]),
      entry('join-control-planes', host, 'kubeadm.admin-kubeconfig', {}),
    ]);
  return {
    id: 'join-control-planes',
    title: 'Join the other control planes, one at a time',
    concurrency: { kind: 'one-at-a-time' },
    before: [],
    entries,
    after: [etcdHealthy(cp1, endpoint)],
  };
}

/** Workers join in parallel, at most join.workerConcurrency at a time. */
export function joinWorkersStage(ctx: PlanContext): PlanStage {
  const { topology, endpoint, firstControlPlane: cp1, spec } = ctx;
  const entries = topology.workers.flatMap((host) =>
    joinLaneEntries(ctx, 'join-workers', host, 'worker', [tcpReachable('endpoint-reachable', host, endpoint.host, endpoint.port, 'the API endpoint')]),
  );
  return {
    id: 'join-workers',
    title: 'Join the workers',
    concurrency: { kind: 'cap', max: spec.spec.join.workerConcurrency },
    before: [apiHealthy(cp1, endpoint)],
    entries,
    after: [nodesReady(cp1, endpoint, topology.workers.map((host) => host.name))],
  };
}
