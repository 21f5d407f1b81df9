import type { Action } from '../../plan';
import { planOf } from '../../plan';
import { StepFailure } from '../../run-types';
import type { HostReader, Step } from '../../step';
import { type CertExpiry, earliest, formatResidual, readExpiration } from './expiration-info';
import { type KubeadmCertsRenewParams, kubeadmCertsRenewParams } from './params';
import { type ClientPair, endpointOf, fileFingerprint, MANIFESTS_DIR, PARKED_DIR, readManifests, servedFingerprint } from './static-pods';

const ETCD_CLIENT = { cert: '/etc/kubernetes/pki/etcd/healthcheck-client.crt', key: '/etc/kubernetes/pki/etcd/healthcheck-client.key' };

/** What kubeadm.certs-renew reads. */
export interface KubeadmCertsRenewFacts {
  nodeName: string;
  certificates: CertExpiry[];
  /** Static pod manifests in place, by file name. */
  manifests: Record<string, string>;
  /** Manifests an interrupted run left parked, by file name. */
  parked: Record<string, string>;
  /** Components whose running process serves another certificate than the file on disk (renewed but not restarted). */
  stale: string[];
}

/** Outputs of kubeadm.certs-renew: the expiries after the run. */
export interface KubeadmCertsRenewOutputs {
  node: string;
  earliest: CertExpiry | undefined;
  certificates: CertExpiry[];
}

async function staleComponents(host: HostReader, manifests: Record<string, string>): Promise<string[]> {
  const cert = await host.readFile(ETCD_CLIENT.cert);
  const key = await host.readFile(ETCD_CLIENT.key);
  const client: ClientPair | undefined = cert !== undefined && key !== undefined ? { cert, key } : undefined;
  const stale: string[] = [];
  for (const [file, manifest] of Object.entries(manifests)) {
    const endpoint = endpointOf(file, manifest);
    if (endpoint?.servingCertFile === undefined) continue;
    const onDisk = fileFingerprint((await host.readFile(endpoint.servingCertFile)) ?? '');
    const served = await servedFingerprint(endpoint.host, endpoint.port, endpoint.component === 'etcd' ? client : undefined);
    if (onDisk !== undefined && served !== undefined && served !== onDisk) stale.push(endpoint.component);
  }
  return stale.sort();
}

/** Leaf certificates kubeadm can renew here that have less than the wanted time left. */
function expiring(facts: KubeadmCertsRenewFacts, params: KubeadmCertsRenewParams): CertExpiry[] {
  const renewable = facts.certificates.filter((cert) => !cert.missing && !cert.externallyManaged);
  return params.force ? renewable : renewable.filter((cert) => cert.residualSeconds < params.minResidualDays * 86_400);
}

/**
 * The restart kubeadm's certificate docs prescribe (tasks/administer-cluster/kubeadm/kubeadm-certs,
 * "Manual certificate renewal"): static pods cannot be restarted through the API, so each
 * manifest leaves /etc/kubernetes/manifests until the kubelet has stopped its pod (its port
 * closes), then comes back and the pod starts on the new certificates. Parked copies make an
 * interrupted run resumable.
 */
function restartActions(facts: KubeadmCertsRenewFacts, params: KubeadmCertsRenewParams): Action[] {
  const actions: Action[] = [];
  const wait = (until: Extract<Action, { kind: 'wait' }>['until'], what: string, why: string): Action => ({ kind: 'wait', until, what, timeoutMs: params.timeoutMs, intervalMs: 1_000, why });
  for (const [file, manifest] of Object.entries(facts.manifests)) {
    actions.push({ kind: 'write', path: `${PARKED_DIR}/${file}`, content: manifest, mode: 0o600, why: `park ${file} while its pod restarts` });
    actions.push({ kind: 'remove', path: `${MANIFESTS_DIR}/${file}`, why: `the kubelet stops ${file.replace(/\.yaml$/, '')} once its manifest is gone` });
  }
  for (const [file, manifest] of Object.entries(facts.manifests)) {
    const endpoint = endpointOf(file, manifest);
    if (endpoint) actions.push(wait({ kind: 'tcp-closed', host: endpoint.host, port: endpoint.port }, `${endpoint.component} of ${facts.nodeName} stopped (${endpoint.host}:${endpoint.port} closed)`, 'it must load the renewed certificates at its next start'));
  }
  const all = { ...facts.parked, ...facts.manifests };
  for (const [file, manifest] of Object.entries(all)) {
    actions.push({ kind: 'write', path: `${MANIFESTS_DIR}/${file}`, content: manifest, mode: 0o600, why: `start ${file.replace(/\.yaml$/, '')} again on the renewed certificates` });
    actions.push({ kind: 'remove', path: `${PARKED_DIR}/${file}`, why: 'the restart is over' });
  }
  for (const [file, manifest] of Object.entries(all)) {
    const endpoint = endpointOf(file, manifest);
    if (endpoint) actions.push(wait({ kind: 'tcp', host: endpoint.host, port: endpoint.port }, `${endpoint.component} of ${facts.nodeName} listening on ${endpoint.host}:${endpoint.port}`, 'the static pod is back'));
  }
  actions.push(wait({ kind: 'command', argv: ['kubectl', '--kubeconfig', params.kubeconfig, 'get', '--raw=/readyz'] }, 'API ready through the control-plane endpoint', 'the renewed admin.conf must work against the API'));
  return actions;
}

/**
 * `kubeadm certs renew all` on a control plane, then the restart of its static pods (kube-apiserver,
 * kube-controller-manager, kube-scheduler and etcd, as kubeadm's closing message demands). Renews
 * when a leaf certificate has less than minResidualDays left (or with force); restarts when it
 * renewed, when a component still serves an older certificate than the one on disk, or when
 * an interrupted run left manifests parked. Otherwise a noop that says how long the earliest
 * certificate has. Run it on one control plane at a time: the others serve the API meanwhile.
 */
export const kubeadmCertsRenew: Step<KubeadmCertsRenewParams, KubeadmCertsRenewFacts, KubeadmCertsRenewOutputs> = {
  id: 'kubeadm.certs-renew',
  title: 'Renew the kubeadm certificates and restart the control-plane static pods',
  params: kubeadmCertsRenewParams,

  async check(host, params) {
    const manifests = await readManifests(host, MANIFESTS_DIR);
    const parked = await readManifests(host, PARKED_DIR);
    if (Object.keys(manifests).length === 0 && Object.keys(parked).length === 0) {
      throw new StepFailure('CHECK_FAILED', `${host.facts.hostName} has no static pod manifests in ${MANIFESTS_DIR}: it is not a kubeadm control plane. Fix: run kubeadm.certs-renew on the control planes only.`);
    }
    const { certificates } = await readExpiration(host, params.kubeconfig);
    return { nodeName: host.facts.hostName, certificates, manifests, parked, stale: await staleComponents(host, manifests) };
  },

  plan(facts, params) {
    const due = expiring(facts, params);
    const first = earliest(facts.certificates);
    const parked = Object.keys(facts.parked);
    const actions: Action[] = [];
    if (due.length > 0) {
      const soonest = earliest(due);
      actions.push({
        kind: 'run',
        argv: ['kubeadm', 'certs', 'renew', 'all', '--kubeconfig', params.kubeconfig],
        why: params.force ? 'renewal forced' : `${due.length} certificate(s) have less than ${params.minResidualDays}d left (${soonest?.name}: ${formatResidual(soonest?.residualSeconds ?? 0)})`,
      });
    }
    if (due.length > 0 || facts.stale.length > 0 || parked.length > 0) actions.push(...restartActions(facts, params));
    return planOf(actions, `every kubeadm certificate has at least ${params.minResidualDays}d left (${first ? `${first.name}: ${formatResidual(first.residualSeconds)}` : 'none found'}) and the control plane serves the certificates on disk`);
  },

  async outputs(host, params) {
    const { certificates } = await readExpiration(host, params.kubeconfig);
    return { node: host.facts.hostName, earliest: earliest(certificates), certificates };
  },
};
