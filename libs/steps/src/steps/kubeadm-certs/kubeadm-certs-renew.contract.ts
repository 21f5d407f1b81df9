import type { StepCases } from '../../contract/step-contract';
import type { CertExpiry } from './expiration-info';
import type { KubeadmCertsRenewFacts } from './kubeadm-certs-renew';
import { kubeadmCertsRenew } from './kubeadm-certs-renew';

const DAY = 86_400;
const cert = (name: string, days: number): CertExpiry => ({ name, expires: '2027-01-10T08:00:00Z', residualSeconds: days * DAY, ca: 'ca', externallyManaged: false, missing: false });

/** A control plane's static pods as kubeadm writes them (the flags kubeadm.certs-renew reads). */
export const CONTROL_PLANE_MANIFESTS: Record<string, string> = {
  'etcd.yaml': 'spec:\n  containers:\n  - command:\n    - etcd\n    - --cert-file=/etc/kubernetes/pki/etcd/server.crt\n    - --listen-client-urls=https://127.0.0.1:2379,https://192.0.2.11:2379\n',
  'kube-apiserver.yaml': 'spec:\n  containers:\n  - command:\n    - kube-apiserver\n    - --advertise-address=192.0.2.11\n    - --secure-port=6443\n    - --tls-cert-file=/etc/kubernetes/pki/apiserver.crt\n',
  'kube-controller-manager.yaml': 'spec:\n  containers:\n  - command:\n    - kube-controller-manager\n    - --bind-address=127.0.0.1\n',
  'kube-scheduler.yaml': 'spec:\n  containers:\n  - command:\n    - kube-scheduler\n    - --bind-address=127.0.0.1\n',
};

/** facts of a control plane whose certificates have `days` left. */
export function renewFacts(days: number, extra: Partial<KubeadmCertsRenewFacts> = {}): KubeadmCertsRenewFacts {
  return { nodeName: 'master1', certificates: [cert('admin.conf', days), cert('apiserver', days - 1), cert('etcd-server', days)], manifests: CONTROL_PLANE_MANIFESTS, parked: {}, stale: [], ...extra };
}

/** kubeadm.certs-renew: certificates due → renew and restart; renewed and served → noop; renewed on disk but a pod still serves the old one → restart only. */
export const contract: StepCases = {
  step: kubeadmCertsRenew,
  firstRun: { params: {}, facts: renewFacts(30) },
  noop: { params: {}, facts: renewFacts(365) },
  drift: { params: {}, facts: renewFacts(365, { stale: ['kube-apiserver'] }) },
};
