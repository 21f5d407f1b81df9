import type { Action } from '../../plan';
import { planOf } from '../../plan';
import { StepFailure } from '../../run-types';
import type { Step } from '../../step';
import type { CheckResult } from './cluster-state';
import { CONTROL_PLANE_COMPONENTS } from './cluster-state';
import type { VerifyParams } from './params';
import { verifyParams } from './params';
import type { ClusterView } from './probes';
import { DNSUTILS_POD, dnsutilsManifest, kubectl, readCluster, runChecks } from './probes';

/** Where the dnsutils manifest is written. */
export const DNSUTILS_MANIFEST = '/etc/kumi/verify/dnsutils.yaml';

/** What verify reads before it waits. */
export interface VerifyFacts {
  cluster: ClusterView;
  manifest: string | undefined;
}

/** Outputs of verify: one named result per check, each with its evidence. */
export interface VerifyOutputs {
  results: CheckResult[];
  checkedAt: string;
}

/**
 * Checks the cluster works: nodes Ready, control-plane pods Running, DNS resolves from a
 * pod, the API answers through the VIP, etcd is healthy. Its only change is the dnsutils
 * pod; it waits (bounded) for what is not ready yet, and fails naming every failed check.
 */
export const verify: Step<VerifyParams, VerifyFacts, VerifyOutputs> = {
  id: 'verify',
  title: 'Verify the cluster works',
  params: verifyParams,

  async check(host, params) {
    if (!(await host.exists(params.kubeconfig))) {
      throw new StepFailure('CHECK_FAILED', `${params.kubeconfig} does not exist on ${host.facts.hostName}. Fix: run verify on a control plane.`);
    }
    return { cluster: await readCluster(host, params), manifest: await host.readFile(DNSUTILS_MANIFEST) };
  },

  plan(facts, params) {
    const actions: Action[] = [];
    const waitFor = (what: string, args: string[], why: string): Action => ({
      kind: 'wait',
      until: { kind: 'command', argv: kubectl(params, ...args, '--timeout=4s') },
      what,
      timeoutMs: params.timeoutMs,
      intervalMs: 2_000,
      why,
    });
    const { cluster } = facts;
    const expected = (params.expectedNodes.length > 0 ? params.expectedNodes : cluster.nodes.map((node) => node.name)).filter((name) => !params.tolerateDown.includes(name));
    const unready = expected.filter((name) => !cluster.nodes.some((node) => node.name === name && node.ready));
    if (params.checks.includes('nodes-ready') && (cluster.error !== undefined || unready.length > 0)) {
      actions.push(waitFor(`nodes ${expected.join(', ') || 'all'} Ready`, ['wait', '--for=condition=Ready', ...(expected.length > 0 ? expected.map((name) => `node/${name}`) : ['nodes', '--all'])], 'every node must be Ready'));
    }
    const planes = cluster.nodes.filter((node) => node.controlPlane && !params.tolerateDown.includes(node.name)).map((node) => node.name);
    const notRunning = planes.flatMap((node) => CONTROL_PLANE_COMPONENTS.map((component) => `${component}-${node}`)).filter((pod) => !cluster.pods.some((p) => p.name === pod && p.running));
    if (params.checks.includes('control-plane-pods') && notRunning.length > 0) {
      actions.push(waitFor('control-plane pods Running', ['-n', 'kube-system', 'wait', '--for=condition=Ready', ...notRunning.map((pod) => `pod/${pod}`)], 'control-plane pods must run on every control plane'));
    }
    if (params.checks.includes('dns') && !cluster.dnsutilsRunning) {
      const manifest = dnsutilsManifest(params.dnsImage);
      if (facts.manifest !== manifest) actions.push({ kind: 'write', path: DNSUTILS_MANIFEST, content: manifest, why: 'a pod to resolve names from' });
      actions.push(
        { kind: 'run', argv: kubectl(params, 'apply', '-f', DNSUTILS_MANIFEST), why: `start pod ${DNSUTILS_POD}` },
        waitFor(`pod ${DNSUTILS_POD} Ready`, ['-n', 'default', 'wait', '--for=condition=Ready', `pod/${DNSUTILS_POD}`], 'nslookup runs inside it'),
      );
    }
    return planOf(actions, 'nodes, control-plane pods and the dnsutils pod already up; the checks run below');
  },

  async outputs(host, params) {
    const results = await runChecks(host, params);
    const failed = results.filter((result) => !result.ok);
    if (failed.length > 0) {
      throw new StepFailure(
        'CHECK_FAILED',
        `verify: ${failed.length} of ${results.length} checks failed:\n${failed.map((result) => `  [${result.name}] ${result.evidence}`).join('\n')}`,
      );
    }
    return { results, checkedAt: new Date().toISOString() };
  },
};
