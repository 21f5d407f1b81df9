import type { ClusterSpec, HostSpec } from '../spec';
import { API_SERVER_PORT, entry, type PlanContext } from './entry';
import { apiHealthy, etcdHealthy, nodesReady, tcpReachable } from './readiness';
import { stepParams } from './step-params';
import type { PlanEntry, PlanStage, Readiness, SecretNeed, StageId } from './types';

const ETCD_CLIENT_PORT = 2379;
const ETCD_PEER_PORT = 2380;

function joinToken(spec: ClusterSpec, host: HostSpec): SecretNeed {
  return {
    name: 'bootstrapToken',
    mint: {
      how: 'step',
      step: 'kubeadm.token-create',
      on: 'healthy-control-plane',
      params: stepParams('kubeadm.token-create', { kubernetesVersion: spec.spec.kubernetes.version, ttl: `${spec.spec.join.tokenTtlMinutes}m`, description: `kumi join ${host.name}` }),
      when: 'just before the join; a fresh token per join',
      revokeStep: 'kubeadm.token-delete',
    },
  };
}

function joinEntry(ctx: PlanContext, stage: StageId, host: HostSpec, role: 'control-plane' | 'worker', gates: Readiness[]): PlanEntry {
  const { kubernetes, runtime } = ctx.spec.spec;
  const secrets: SecretNeed[] = [joinToken(ctx.spec, host)];
  if (role === 'control-plane') {
    secrets.push({
      name: 'certificateKey',
      mint: {
        how: 'step',
        step: 'kubeadm.upload-certs',
        on: 'healthy-control-plane',
        params: stepParams('kubeadm.upload-certs', { kubernetesVersion: kubernetes.version, renewBefore: '30m' }),
        when: 'before the join when the last upload is older than 2h minus the renewBefore margin',
      },
    });
  }
  const params = {
    role,
    kubernetesVersion: kubernetes.version,
    controlPlaneEndpoint: ctx.endpoint,
    ...(role === 'control-plane' ? { advertiseAddress: host.address, bindPort: API_SERVER_PORT } : {}),
    runtime,
    nodeName: host.name,
  };
  return entry(stage, host, 'kubeadm.join', params, { secrets, inputs: [{ param: 'caCertHashes', source: 'ca-cert-hash', required: true }], gates });
}

/** The other control planes join one at a time, each gated on API and etcd health. */
export function joinControlPlanesStage(ctx: PlanContext): PlanStage {
  const { topology, endpoint, firstControlPlane: cp1 } = ctx;
  const entries = topology.controlPlanes
    .filter((host) => host !== cp1)
    .flatMap((host) => [
      joinEntry(ctx, 'join-control-planes', host, 'control-plane', [
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
  const entries = topology.workers.map((host) =>
    joinEntry(ctx, 'join-workers', host, 'worker', [tcpReachable('endpoint-reachable', host, endpoint.host, endpoint.port, 'the API endpoint')]),
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

