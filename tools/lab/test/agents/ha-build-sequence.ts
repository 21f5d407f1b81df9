import { randomBytes } from 'node:crypto';
import { generateBootstrapToken } from '@kumi/trust';
import type { PlanEntry } from './plan-params';

/** What a first run must end with; the second run must always be NOOP (or `rerun: false`). */
export type FirstRunKind = 'DONE' | 'NOOP';

/** One step of the HA build driven through an agent, in build order. */
export interface BuildStep {
  /** Label in messages and timings, e.g. "join/token-create@master1 for master2". */
  label: string;
  host: string;
  step: string;
  params: Record<string, unknown>;
  /** Secret name → value (written to 0600 files for --secret-file). */
  secrets: Record<string, string>;
  first: FirstRunKind;
  /** Why a first run is NOOP, or why the second run is skipped. */
  note?: string;
  /** Run it a second time and expect NOOP (default true). */
  rerun: boolean;
  /** Fills params from earlier outputs just before the step runs (e.g. the CA hash). */
  inputs?: (outputs: ReadonlyMap<string, Record<string, unknown>>) => Record<string, unknown>;
}

/** Steps that may run together: one lane per host, the steps of a lane one after another. */
export interface BuildPhase {
  name: string;
  lanes: BuildStep[][];
}

/** The secrets the run minted, for the leak scan. */
export interface MintedSecrets {
  all: string[];
}

/** Hosts of the seed. */
const LBS = ['lb1', 'lb2'];
const NODES = ['master1', 'master2', 'master3', 'worker1'];
const JOINING_CONTROL_PLANES = ['master2', 'master3'];
const PREPARE_NODE_STEPS = ['swap.off', 'kernel.modules', 'sysctl.kubernetes', 'firewall', 'runtime.containerd', 'kubernetes.packages'];

/** Lab-sized bounds for the two long waits (the plan's 300 s / 180 s would eat the test budget). */
const VERIFY_TIMEOUT_MS = 60_000;
const DRILL_TIMEOUT_MS = 60_000;
const DRILL_OBSERVE_MS = 10_000;

function entry(plan: ReadonlyMap<string, PlanEntry>, path: string): PlanEntry {
  const found = plan.get(path);
  if (!found) throw new Error(`the seed plan has no entry ${path} (kumi plan examples/seed-ha.yaml --json): the plan changed, update ha-build-sequence.ts`);
  return found;
}

/**
 * The host steps of the seed's HA build in the order a build needs them, with the plan's
 * params, and the secrets the broker would mint (a bootstrap token and certificate key
 * for init; per join a fresh token created on master1 and deleted after; one certificate
 * re-upload before the control-plane joins). Preflight, prepare and endpoint run their
 * hosts in parallel (as the plan's stages do); from init on, one step at a time.
 */
export function haBuildSequence(plan: ReadonlyMap<string, PlanEntry>, minted: MintedSecrets): BuildPhase[] {
  const token = () => {
    const t = generateBootstrapToken();
    minted.all.push(t.token, t.secret);
    return t;
  };
  const certificateKey = () => {
    const key = randomBytes(32).toString('hex');
    minted.all.push(key);
    return key;
  };
  const fromPlan = (path: string, first: FirstRunKind, extra: Partial<BuildStep> = {}): BuildStep => {
    const e = entry(plan, path);
    return { label: path, host: e.host, step: e.step, params: e.params, secrets: {}, first, rerun: true, ...extra };
  };
  const version = String(entry(plan, 'init/kubeadm.init@master1').params.kubernetesVersion);
  const caHash = (outputs: ReadonlyMap<string, Record<string, unknown>>) => {
    const hash = outputs.get('init/kubeadm.init@master1')?.caCertHash;
    if (typeof hash !== 'string') throw new Error('kubeadm.init returned no caCertHash output');
    return { caCertHashes: [hash] };
  };
  const joinToken = (forHost: string): { create: BuildStep; remove: BuildStep; token: string } => {
    const t = token();
    return {
      token: t.token,
      create: {
        label: `join/kubeadm.token-create@master1 for ${forHost}`,
        host: 'master1',
        step: 'kubeadm.token-create',
        params: { kubernetesVersion: version, ttl: '15m', description: `kumi join ${forHost}` },
        secrets: { bootstrapToken: t.token },
        first: 'DONE',
        rerun: true,
      },
      remove: { label: `join/kubeadm.token-delete@master1 for ${forHost}`, host: 'master1', step: 'kubeadm.token-delete', params: { tokenId: t.id }, secrets: {}, first: 'DONE', rerun: true },
    };
  };

  const init = { token: token(), certificateKey: certificateKey() };
  const uploadKey = certificateKey();
  const noFirewall = { note: 'firewall auto: lab hosts start with no firewall, so the backend is "none"' };
  const parallel: BuildPhase[] = [
    { name: 'preflight', lanes: [...LBS, ...NODES].map((h) => [fromPlan(`preflight/preflight@${h}`, 'NOOP', { note: 'preflight only reads the host: NOOP with its checks in the outputs' })]) },
    {
      name: 'prepare',
      lanes: [
        ...LBS.map((h) => [fromPlan(`prepare/firewall@${h}`, 'NOOP', noFirewall), fromPlan(`prepare/lb.haproxy@${h}`, 'DONE'), fromPlan(`prepare/lb.keepalived@${h}`, 'DONE')]),
        ...NODES.map((h) => PREPARE_NODE_STEPS.map((s) => fromPlan(`prepare/${s}@${h}`, s === 'firewall' ? 'NOOP' : 'DONE', s === 'firewall' ? noFirewall : {}))),
      ],
    },
    { name: 'endpoint', lanes: NODES.map((h) => [fromPlan(`endpoint/net.wait-tcp@${h}`, 'NOOP', { note: 'HAProxy on the VIP already accepts TCP: nothing to wait for' })]) },
  ];
  const steps: BuildStep[] = [
    fromPlan('init/kubeadm.init@master1', 'DONE', { secrets: { bootstrapToken: init.token.token, certificateKey: init.certificateKey } }),
    // The broker deletes init's token once init ran: every join gets its own.
    { label: 'init/kubeadm.token-delete@master1 (init token)', host: 'master1', step: 'kubeadm.token-delete', params: { tokenId: init.token.id }, secrets: {}, first: 'DONE', rerun: true },
    fromPlan('init/kubeadm.admin-kubeconfig@master1', 'DONE'),
    fromPlan('pod-network/cni.flannel@master1', 'DONE'),
    {
      label: 'join/kubeadm.upload-certs@master1 (fresh certificate key)',
      host: 'master1',
      step: 'kubeadm.upload-certs',
      params: { kubernetesVersion: version, renewBefore: '30m' },
      secrets: { certificateKey: uploadKey },
      first: 'DONE',
      rerun: true,
    },
  ];
  for (const h of JOINING_CONTROL_PLANES) {
    const t = joinToken(h);
    steps.push(
      t.create,
      fromPlan(`join-control-planes/kubeadm.join@${h}`, 'DONE', { secrets: { bootstrapToken: t.token, certificateKey: uploadKey }, inputs: caHash }),
      t.remove,
      fromPlan(`join-control-planes/kubeadm.admin-kubeconfig@${h}`, 'DONE'),
    );
  }
  const w = joinToken('worker1');
  steps.push(w.create, fromPlan('join-workers/kubeadm.join@worker1', 'DONE', { secrets: { bootstrapToken: w.token }, inputs: caHash }), w.remove);
  const verify = fromPlan('verify/verify@master1', 'DONE', { note: 'first run applies the dnsutils pod (DONE); the rerun has nothing to apply (NOOP) and checks again' });
  verify.params = { ...verify.params, timeoutMs: VERIFY_TIMEOUT_MS };
  const drill = fromPlan('drill/drill@master1', 'DONE', { rerun: false, note: 'a drill is an action, not a state: running it again repeats it, so no second run' });
  drill.params = { ...drill.params, timeoutMs: DRILL_TIMEOUT_MS, observeMs: DRILL_OBSERVE_MS };
  // Not part of the build, but a host step too: take the worker out again (kumi reset).
  const reset: BuildStep = {
    label: 'reset/kubeadm.reset@worker1',
    host: 'worker1',
    step: 'kubeadm.reset',
    params: {
      runtime: 'containerd',
      podCidr: String(entry(plan, 'init/kubeadm.init@master1').params.podCidr),
      serviceCidr: String(entry(plan, 'init/kubeadm.init@master1').params.serviceCidr),
      kubeconfigPath: '/root/.kube/config',
    },
    secrets: {},
    first: 'DONE',
    rerun: true,
  };
  steps.push(verify, drill, reset);
  return [...parallel, ...steps.map((step) => ({ name: step.label, lanes: [[step]] }))];
}
