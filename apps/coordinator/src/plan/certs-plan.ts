import { type ClusterSpec, topologyOf } from '../spec';
import { entry } from './entry';
import { apiHealthy, etcdHealthy } from './readiness';
import { parsePatterns, selectEntries } from './select';
import { attachStage } from './stages';
import type { Plan, PlanStage } from './types';

/** What `kumi certs` / `kumi certs renew` narrow their plans to. */
export interface CertsPlanOptions {
  only?: readonly string[];
  skip?: readonly string[];
}

/** How `kumi certs renew` decides per control plane (kubeadm.certs-renew's params). */
export interface CertsRenewOptions extends CertsPlanOptions {
  /** Renew when a certificate has less than this many days left (the step's default when absent). */
  minResidualDays?: number;
  /** Renew whatever is left. */
  force?: boolean;
}

function withAttach(spec: ClusterSpec, workflow: Plan['workflow'], work: PlanStage[], options: CertsPlanOptions): Plan {
  const stages = selectEntries(work, parsePatterns(options.only ?? []), parsePatterns(options.skip ?? []));
  const hosts = [...new Set(stages.flatMap((stage) => stage.entries.map((planned) => planned.host)))];
  return { workflow, cluster: spec.metadata.name, stages: hosts.length > 0 ? [attachStage(hosts), ...stages] : stages };
}

/**
 * The plan of `kumi certs`: `kubeadm certs check-expiration` on every control plane at
 * once (read-only). One unreadable host does not keep the others from reporting.
 */
export function buildCertsPlan(spec: ClusterSpec, options: CertsPlanOptions = {}): Plan {
  const { controlPlanes } = topologyOf(spec);
  const check: PlanStage = {
    id: 'certs-check',
    title: 'Read the certificate expiry on every control plane (kubeadm certs check-expiration)',
    concurrency: { kind: 'all' },
    afterHostFailure: 'finish-stage',
    before: [],
    entries: controlPlanes.map((host) => entry('certs-check', host, 'kubeadm.certs-check', {})),
    after: [],
  };
  return withAttach(spec, 'certs', [check], options);
}

/**
 * The plan of `kumi certs renew`: on each control plane in turn, once the API answers
 * through the VIP and every etcd member is healthy, `kubeadm certs renew all` and the
 * restart of its static pods (kubeadm.certs-renew), then root's kubeconfig refreshed from
 * the renewed admin.conf. One control plane at a time keeps the API and etcd quorum up;
 * a failure stops the run before the next control plane is touched.
 */
export function buildCertsRenewPlan(spec: ClusterSpec, options: CertsRenewOptions = {}): Plan {
  const { controlPlanes, endpoint } = topologyOf(spec);
  const renewParams = { ...(options.minResidualDays !== undefined ? { minResidualDays: options.minResidualDays } : {}), ...(options.force ? { force: true } : {}) };
  const renew: PlanStage = {
    id: 'renew-certs',
    title: 'Renew the certificates on each control plane, one at a time (kubeadm certs renew all, static pods restarted)',
    concurrency: { kind: 'one-at-a-time' },
    afterHostFailure: 'stop',
    before: [],
    entries: controlPlanes.flatMap((host) => [
      entry('renew-certs', host, 'kubeadm.certs-renew', renewParams, { gates: [apiHealthy(host, endpoint), etcdHealthy(host, endpoint)] }),
      entry('renew-certs', host, 'kubeadm.admin-kubeconfig', {}),
    ]),
    after: controlPlanes[0] ? [apiHealthy(controlPlanes[0], endpoint), etcdHealthy(controlPlanes[0], endpoint)] : [],
  };
  return withAttach(spec, 'certs-renew', [renew], options);
}
