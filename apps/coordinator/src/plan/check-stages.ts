import { entry, type PlanContext } from './entry';
import { etcdHealthy } from './readiness';
import type { PlanStage } from './types';

function verifyParams(ctx: PlanContext, tolerateDown: string[] = []): Record<string, unknown> {
  const { verify } = ctx.spec.spec;
  const checks = ['nodes-ready', 'control-plane-pods', 'dns', 'api-via-vip', 'etcd-health'].filter((check) => verify.dns || check !== 'dns');
  return {
    endpoint: ctx.endpoint,
    expectedNodes: ctx.topology.nodes.map((host) => host.name),
    tolerateDown,
    checks,
    ...(verify.dnsImage ? { dnsImage: verify.dnsImage } : {}),
    timeoutMs: verify.timeoutSeconds * 1000,
  };
}

/** The whole cluster checked from the first control plane. */
export function verifyStage(ctx: PlanContext): PlanStage {
  const cp1 = ctx.firstControlPlane;
  return {
    id: 'verify',
    title: 'Verify the cluster',
    concurrency: { kind: 'one-at-a-time' },
    before: [],
    entries: [entry('verify', cp1, 'verify', verifyParams(ctx))],
    after: [],
  };
}

/** Takes a control plane down and proves the API (through the VIP) and DNS survive. */
export function drillStage(ctx: PlanContext): PlanStage {
  const { spec, topology, endpoint } = ctx;
  const { drill } = spec.spec;
  const target = topology.controlPlanes.find((host) => host.name === (drill.target ?? topology.controlPlanes[0]?.name)) ?? ctx.firstControlPlane;
  const witness = topology.controlPlanes.find((host) => host !== target) ?? target;
  const entries = [entry('drill', target, 'drill', { endpoint, mode: drill.mode, observeMs: drill.observeSeconds * 1000 })];
  if (drill.mode === 'poweroff') entries.push(entry('drill', witness, 'verify', verifyParams(ctx, [target.name])));
  return {
    id: 'drill',
    title: `Failover drill: take ${target.name} down`,
    concurrency: { kind: 'one-at-a-time' },
    before: [etcdHealthy(witness, endpoint)],
    entries,
    after: [],
  };
}
