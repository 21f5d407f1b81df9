import { createHash } from 'node:crypto';
import type { StepCases } from '../../contract/step-contract';
import { cniFlannel, FLANNEL_MANIFEST } from './cni-flannel';
import { cniFlannelParams } from './params';

/** The shape of flannel's released kube-flannel.yml (trimmed to what the step reads). */
const source = `---
kind: ConfigMap
apiVersion: v1
metadata:
  name: kube-flannel-cfg
  namespace: kube-flannel
data:
  net-conf.json: |
    { "Network": "10.244.0.0/16", "Backend": { "Type": "vxlan" } }
---
apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: kube-flannel-ds
  namespace: kube-flannel
spec:
  template:
    spec:
      containers:
      - name: kube-flannel
        image: ghcr.io/flannel-io/flannel:v0.26.7
`;
const sourceSha256 = createHash('sha256').update(source).digest('hex');
const params = { version: 'v0.26.7', manifest: { path: '/srv/kube-flannel.yml', sha256: sourceSha256 }, podCidr: '10.32.0.0/16' };
const fresh = { source, sourceSha256, downloaded: false, written: undefined, applied: undefined };
/** The manifest as the first run writes it: what the host holds afterwards. */
const firstWrite = cniFlannel.plan(fresh, cniFlannelParams.parse(params), {}).actions.find((a) => a.kind === 'write' && a.path === FLANNEL_MANIFEST);
const written = firstWrite?.kind === 'write' ? String(firstWrite.content) : '';
const applied = { network: '10.32.0.0/16', backend: 'vxlan', image: 'ghcr.io/flannel-io/flannel:v0.26.7' };

/** cni.flannel: nothing written or applied; written and applied as pinned; someone applied another image since. */
export const contract: StepCases = {
  step: cniFlannel,
  firstRun: { params, facts: fresh },
  noop: { params, facts: { ...fresh, written, applied } },
  drift: { params, facts: { ...fresh, written, applied: { ...applied, image: 'ghcr.io/flannel-io/flannel:v0.27.0' } } },
};
