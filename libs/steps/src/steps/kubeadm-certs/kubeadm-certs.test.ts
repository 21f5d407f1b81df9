import { describe, expect, it } from 'vitest';
import { describeAction } from '../../plan';
import { debianFacts } from '../../testing/host-facts';
import { fakeHost } from '../common/fake-host';
import { checkExpirationArgv, parseExpirationInfo } from './expiration-info';
import { kubeadmCertsCheck } from './kubeadm-certs-check';
import { kubeadmCertsRenew } from './kubeadm-certs-renew';
import { CONTROL_PLANE_MANIFESTS, renewFacts } from './kubeadm-certs-renew.contract';
import { kubeadmCertsCheckParams, kubeadmCertsRenewParams } from './params';
import { endpointOf } from './static-pods';

/** `kubeadm certs check-expiration -o json` of a joined control plane (no super-admin.conf there). */
const INFO = JSON.stringify({
  kind: 'CertificateExpirationInfo',
  apiVersion: 'output.kubeadm.k8s.io/v1alpha3',
  certificates: [
    { name: 'admin.conf', expirationDate: '2027-12-06T09:00:00Z', residualTime: 31_532_400, externallyManaged: false, caName: 'ca', missing: false },
    { name: 'apiserver', expirationDate: '2027-03-01T10:00:00Z', residualTime: 7_430_400, externallyManaged: false, caName: 'ca', missing: false },
    { name: 'super-admin.conf', expirationDate: null, residualTime: 0, externallyManaged: false, missing: true },
  ],
  certificateAuthorities: [{ name: 'ca', expirationDate: '2036-12-04T09:00:00Z', residualTime: 315_360_000, externallyManaged: false, missing: false }],
});
const CHECK = checkExpirationArgv('/etc/kubernetes/admin.conf').join(' ');

describe('kubeadm.certs-check', () => {
  it('reads check-expiration -o json: a read-only noop naming the earliest certificate, every row in the outputs', async () => {
    const params = kubeadmCertsCheckParams.parse({});
    const host = fakeHost(debianFacts, {}, { [CHECK]: INFO });
    const facts = await kubeadmCertsCheck.check(host, params, {});
    expect(kubeadmCertsCheck.plan(facts, params, {})).toEqual({ actions: [], noop: 'read-only: 2 certificate(s), apiserver expires first (2027-03-01T10:00:00Z, 86d left); missing: super-admin.conf' });
    const outputs = await kubeadmCertsCheck.outputs!(host, params, facts);
    expect(outputs.earliest?.name).toBe('apiserver');
    expect(outputs.certificates.map((cert) => [cert.name, cert.ca, cert.missing])).toEqual([['admin.conf', 'ca', false], ['apiserver', 'ca', false], ['super-admin.conf', undefined, true]]);
    expect(outputs.authorities[0]?.residualSeconds).toBe(315_360_000);
  });

  it('fails with kubeadm\'s words and a fix off a control plane, and refuses output that is not CertificateExpirationInfo', async () => {
    const params = kubeadmCertsCheckParams.parse({});
    const broken = fakeHost(debianFacts, {}, { [CHECK]: { exitCode: 1, stderr: 'failed to load admin kubeconfig: open /etc/kubernetes/admin.conf: no such file or directory' } });
    await expect(kubeadmCertsCheck.check(broken, params, {})).rejects.toThrow(/no such file or directory\. Fix: run this step on a kubeadm control plane/);
    expect(() => parseExpirationInfo('{"kind":"UpgradePlan"}')).toThrow(/CertificateExpirationInfo/);
  });
});

describe('kubeadm.certs-renew: facts in, plan out', () => {
  const params = kubeadmCertsRenewParams.parse({});
  const lines = (facts: ReturnType<typeof renewFacts>, overrides: Record<string, unknown> = {}) =>
    kubeadmCertsRenew.plan(facts, kubeadmCertsRenewParams.parse(overrides), {}).actions.map(describeAction);

  it('certificates due: renew all, park every manifest, wait for each port to close, bring them back, wait for them and the API', () => {
    expect(lines(renewFacts(30))).toEqual([
      'run kubeadm certs renew all --kubeconfig /etc/kubernetes/admin.conf  # 3 certificate(s) have less than 364d left (apiserver: 29d)',
      'write /etc/kubernetes/kumi-certs-renew-parked/etcd.yaml  # park etcd.yaml while its pod restarts',
      'remove /etc/kubernetes/manifests/etcd.yaml  # the kubelet stops etcd once its manifest is gone',
      'write /etc/kubernetes/kumi-certs-renew-parked/kube-apiserver.yaml  # park kube-apiserver.yaml while its pod restarts',
      'remove /etc/kubernetes/manifests/kube-apiserver.yaml  # the kubelet stops kube-apiserver once its manifest is gone',
      'write /etc/kubernetes/kumi-certs-renew-parked/kube-controller-manager.yaml  # park kube-controller-manager.yaml while its pod restarts',
      'remove /etc/kubernetes/manifests/kube-controller-manager.yaml  # the kubelet stops kube-controller-manager once its manifest is gone',
      'write /etc/kubernetes/kumi-certs-renew-parked/kube-scheduler.yaml  # park kube-scheduler.yaml while its pod restarts',
      'remove /etc/kubernetes/manifests/kube-scheduler.yaml  # the kubelet stops kube-scheduler once its manifest is gone',
      'wait for etcd of master1 stopped (127.0.0.1:2379 closed) (up to 300s)  # it must load the renewed certificates at its next start',
      'wait for kube-apiserver of master1 stopped (192.0.2.11:6443 closed) (up to 300s)  # it must load the renewed certificates at its next start',
      'wait for kube-controller-manager of master1 stopped (127.0.0.1:10257 closed) (up to 300s)  # it must load the renewed certificates at its next start',
      'wait for kube-scheduler of master1 stopped (127.0.0.1:10259 closed) (up to 300s)  # it must load the renewed certificates at its next start',
      'write /etc/kubernetes/manifests/etcd.yaml  # start etcd again on the renewed certificates',
      'remove /etc/kubernetes/kumi-certs-renew-parked/etcd.yaml  # the restart is over',
      'write /etc/kubernetes/manifests/kube-apiserver.yaml  # start kube-apiserver again on the renewed certificates',
      'remove /etc/kubernetes/kumi-certs-renew-parked/kube-apiserver.yaml  # the restart is over',
      'write /etc/kubernetes/manifests/kube-controller-manager.yaml  # start kube-controller-manager again on the renewed certificates',
      'remove /etc/kubernetes/kumi-certs-renew-parked/kube-controller-manager.yaml  # the restart is over',
      'write /etc/kubernetes/manifests/kube-scheduler.yaml  # start kube-scheduler again on the renewed certificates',
      'remove /etc/kubernetes/kumi-certs-renew-parked/kube-scheduler.yaml  # the restart is over',
      'wait for etcd of master1 listening on 127.0.0.1:2379 (up to 300s)  # the static pod is back',
      'wait for kube-apiserver of master1 listening on 192.0.2.11:6443 (up to 300s)  # the static pod is back',
      'wait for kube-controller-manager of master1 listening on 127.0.0.1:10257 (up to 300s)  # the static pod is back',
      'wait for kube-scheduler of master1 listening on 127.0.0.1:10259 (up to 300s)  # the static pod is back',
      'wait for API ready through the control-plane endpoint (up to 300s)  # the renewed admin.conf must work against the API',
    ]);
  });

  it.each([
    ['renewed a minute ago and served: noop with the reason', renewFacts(365), {}, 'every kubeadm certificate has at least 364d left (apiserver: 364d) and the control plane serves the certificates on disk'],
    ['a threshold of 30 days leaves 90-day-old certificates alone', renewFacts(90), { minResidualDays: 30 }, 'every kubeadm certificate has at least 30d left (apiserver: 89d) and the control plane serves the certificates on disk'],
  ])('%s', (_name, facts, overrides, reason) => {
    expect(kubeadmCertsRenew.plan(facts, kubeadmCertsRenewParams.parse(overrides), {})).toEqual({ actions: [], noop: reason });
  });

  it('force renews fresh certificates; an externally managed CA\'s certificates are left to their owner', () => {
    expect(lines(renewFacts(365), { force: true })[0]).toBe('run kubeadm certs renew all --kubeconfig /etc/kubernetes/admin.conf  # renewal forced');
    const external = renewFacts(10, { certificates: renewFacts(10).certificates.map((cert) => ({ ...cert, externallyManaged: true })) });
    expect(kubeadmCertsRenew.plan(external, params, {}).noop).toMatch(/^every kubeadm certificate/);
  });

  it('an interrupted restart (manifests parked, certificates renewed) only brings the parked pods back', () => {
    const parked = { 'etcd.yaml': CONTROL_PLANE_MANIFESTS['etcd.yaml'] as string };
    const rest = Object.fromEntries(Object.entries(CONTROL_PLANE_MANIFESTS).filter(([file]) => file !== 'etcd.yaml'));
    const plan = lines(renewFacts(365, { manifests: rest, parked }));
    expect(plan).not.toContainEqual(expect.stringMatching(/^run kubeadm certs renew/));
    expect(plan).toContain('write /etc/kubernetes/manifests/etcd.yaml  # start etcd again on the renewed certificates');
    expect(plan).not.toContain('wait for etcd of master1 stopped (127.0.0.1:2379 closed) (up to 300s)  # it must load the renewed certificates at its next start');
  });

  it('refuses a host without static pod manifests, with the fix', async () => {
    await expect(kubeadmCertsRenew.check(fakeHost(debianFacts), params, {})).rejects.toThrow(/not a kubeadm control plane\. Fix: run kubeadm.certs-renew on the control planes only/);
  });

  it('reads where each static pod listens from its manifest, with kubeadm\'s defaults', () => {
    expect(endpointOf('kube-apiserver.yaml', '- --advertise-address=10.0.0.5\n')).toEqual({ component: 'kube-apiserver', host: '10.0.0.5', port: 6443, servingCertFile: undefined });
    expect(endpointOf('etcd.yaml', '')?.port).toBe(2379);
    expect(endpointOf('kube-vip.yaml', '')).toBeUndefined();
  });
});
