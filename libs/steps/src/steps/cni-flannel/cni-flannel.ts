import { createHash } from 'node:crypto';
import type { Action } from '../../plan';
import { planOf } from '../../plan';
import { netConfOf, renderFlannelManifest } from '../../render/flannel-manifest';
import { StepFailure } from '../../run-types';
import type { HostReader, Step } from '../../step';
import type { CniFlannelParams } from './params';
import { cniFlannelParams } from './params';

/** Where the rendered manifest and the downloaded source are kept. */
export const FLANNEL_DIR = '/etc/kumi/flannel';
export const FLANNEL_MANIFEST = `${FLANNEL_DIR}/kube-flannel.yml`;
const DOWNLOAD_TIMEOUT_MS = 60_000;

/** What cni.flannel reads. */
export interface CniFlannelFacts {
  /** The upstream manifest text, checked against its sha256. */
  source: string;
  sourceSha256: string;
  /** Set when the source had to be downloaded (it is then cached). */
  downloaded: boolean;
  /** The manifest as kumi last wrote it. */
  written: string | undefined;
  /** What the cluster runs now; undefined when flannel is not applied. */
  applied: { network: string | undefined; backend: string | undefined; image: string | undefined } | undefined;
}

/** Outputs of cni.flannel. */
export interface CniFlannelOutputs {
  version: string;
  namespace: string;
  network: string;
  backend: string;
  manifestSha256: string;
}

/** Applies flannel at a pinned release with the spec's pod CIDR and backend. */
export const cniFlannel: Step<CniFlannelParams, CniFlannelFacts, CniFlannelOutputs> = {
  id: 'cni.flannel',
  title: 'Apply the flannel pod network',
  params: cniFlannelParams,

  async check(host, params) {
    const { source, downloaded } = await readSource(host, params);
    const sourceSha256 = sha256(source);
    const expected = params.manifest.sha256;
    if (expected !== undefined && sourceSha256 !== expected) {
      throw new StepFailure('CHECK_FAILED', `the flannel manifest's sha256 is ${sourceSha256}, not ${expected}. Fix: pin the sha256 of the release you mean, or fetch the manifest again.`);
    }
    const rendered = render(source, params);
    if (!rendered.images.some((image) => image.endsWith(`:${params.version}`))) {
      throw new StepFailure('CHECK_FAILED', `the manifest's flannel images (${rendered.images.join(', ') || 'none'}) are not version ${params.version}. Fix: use the kube-flannel.yml of release ${params.version}, or set version to match it.`);
    }
    return { source, sourceSha256, downloaded, written: await host.readFile(FLANNEL_MANIFEST), applied: await readApplied(host, params, rendered.namespace) };
  },

  plan(facts, params) {
    const rendered = render(facts.source, params);
    const actions: Action[] = [];
    if (facts.downloaded) {
      actions.push({ kind: 'write', path: `${FLANNEL_DIR}/source-${facts.sourceSha256}.yml`, content: facts.source, why: 'keep the verified download for reruns' });
    }
    const fileChanged = facts.written !== rendered.manifest;
    if (fileChanged) actions.push({ kind: 'write', path: FLANNEL_MANIFEST, content: rendered.manifest, why: `flannel ${params.version} with Network ${params.podCidr}, backend ${params.backend}` });
    const flannelImage = rendered.images.find((image) => image.endsWith(`:${params.version}`));
    const inSync = facts.applied !== undefined && facts.applied.network === params.podCidr && facts.applied.backend === params.backend && facts.applied.image === flannelImage;
    if (fileChanged || !inSync) {
      const kubectl = ['kubectl', '--kubeconfig', params.kubeconfig];
      actions.push(
        { kind: 'run', argv: [...kubectl, 'apply', '-f', FLANNEL_MANIFEST], why: facts.applied === undefined ? 'flannel is not applied' : 'the applied flannel differs from the pinned one' },
        {
          kind: 'wait',
          until: { kind: 'command', argv: [...kubectl, '-n', rendered.namespace, 'wait', '--for=condition=Ready', 'pods', '-l', 'app=flannel', '--timeout=4s'] },
          what: 'flannel pods Ready',
          timeoutMs: params.readyTimeoutMs,
          intervalMs: 2_000,
          why: 'nodes become Ready once the pod network runs',
        },
      );
    }
    return planOf(actions, `flannel ${params.version} already applied with Network ${params.podCidr}, backend ${params.backend}`);
  },

  async outputs(_host, params, facts) {
    const rendered = render(facts.source, params);
    return { version: params.version, namespace: rendered.namespace, network: params.podCidr, backend: params.backend, manifestSha256: facts.sourceSha256 };
  },
};

function render(source: string, params: CniFlannelParams): ReturnType<typeof renderFlannelManifest> {
  try {
    return renderFlannelManifest(source, { podCidr: params.podCidr, backend: params.backend });
  } catch (error) {
    throw new StepFailure('CHECK_FAILED', `${(error as Error).message}. Fix: point manifest at flannel's released kube-flannel.yml.`);
  }
}

async function readSource(host: HostReader, params: CniFlannelParams): Promise<{ source: string; downloaded: boolean }> {
  if ('path' in params.manifest) {
    const text = await host.readFile(params.manifest.path);
    if (text === undefined) throw new StepFailure('CHECK_FAILED', `flannel manifest ${params.manifest.path} does not exist. Fix: copy kube-flannel.yml of ${params.version} there.`);
    return { source: text, downloaded: false };
  }
  const cached = await host.readFile(`${FLANNEL_DIR}/source-${params.manifest.sha256}.yml`);
  if (cached !== undefined && sha256(cached) === params.manifest.sha256) return { source: cached, downloaded: false };
  try {
    const response = await fetch(params.manifest.url, { signal: AbortSignal.timeout(DOWNLOAD_TIMEOUT_MS), redirect: 'follow' });
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    return { source: await response.text(), downloaded: true };
  } catch (error) {
    throw new StepFailure('CHECK_FAILED', `could not download ${params.manifest.url}: ${(error as Error).message}. Fix: check the URL and the host's access to it, or use a local file (manifest.path) on air-gapped sites.`);
  }
}

async function readApplied(host: HostReader, params: CniFlannelParams, namespace: string): Promise<CniFlannelFacts['applied']> {
  const kubectl = ['kubectl', '--kubeconfig', params.kubeconfig, '-n', namespace, 'get'];
  const configMap = await host.probe([...kubectl, 'configmap', 'kube-flannel-cfg', '-o', 'json']);
  const daemonSet = await host.probe([...kubectl, 'daemonset', 'kube-flannel-ds', '-o', 'json']);
  if (configMap.exitCode !== 0 || daemonSet.exitCode !== 0) return undefined;
  const netConf = (JSON.parse(configMap.stdout) as { data?: Record<string, string> }).data?.['net-conf.json'];
  const containers = (JSON.parse(daemonSet.stdout) as { spec?: { template?: { spec?: { containers?: { image?: string }[] } } } }).spec?.template?.spec?.containers ?? [];
  return { ...(netConf === undefined ? { network: undefined, backend: undefined } : netConfOf(netConf)), image: containers[0]?.image };
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}
