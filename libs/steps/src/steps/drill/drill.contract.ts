import type { StepCases } from '../../contract/step-contract';
import { drill } from './drill';

const params = { endpoint: { host: '192.0.2.100' }, observeMs: 20_000 };
const manifests = { 'etcd.yaml': 'kind: Pod\nmetadata:\n  name: etcd\n', 'kube-apiserver.yaml': 'kind: Pod\nmetadata:\n  name: kube-apiserver\n' };
const facts = { nodeName: 'master1', manifests, parked: {}, etcdCheck: undefined, dnsOnlyHere: false, apiAddress: '192.0.2.21', apiPort: 6443, criEndpoint: undefined, monitor: undefined };

/**
 * drill (mode stop): a healthy control plane is taken down and brought back; a drill that was
 * interrupted with the static pods parked only brings them back. It never is a no-op.
 */
export const contract: StepCases = {
  step: drill,
  firstRun: { params, facts },
  noop: { never: 'a drill is an exercise: every run takes the node down and back (an interrupted one only brings it back)' },
  drift: { params, facts: { ...facts, manifests: {}, parked: manifests } },
};
