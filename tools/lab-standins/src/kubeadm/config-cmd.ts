import { type ParsedArgs, flag } from '../common/flags';
import { hostPath } from '../common/host-env';
import type { KubeadmContext } from './cli-context';
import { loadKubeadmConfig } from './config';
import { imagesFor, recordPulledImages } from './images';
import { checkMixedArguments } from './init';
import { KubeadmError } from './kubeadm-error';
import { criDialProblem } from './preflight';
import { DEFAULT_KUBERNETES_VERSION_LABEL, resolveKubernetesVersion } from './stable-version';
import { installedKubeadmVersion } from './version-cmd';

const DEFAULT_CRI_SOCKET = 'unix:///var/run/containerd/containerd.sock';

/** Version, repository and CRI socket from --config or the flags (kubeadm refuses a mix). */
function imageSettings(args: ParsedArgs, ctx: KubeadmContext): { version: string; repository: string; criSocket: string } {
  const file = flag(args, 'config');
  if (file !== undefined) {
    checkMixedArguments(args);
    const config = loadKubeadmConfig(file, ctx.host.hostname);
    for (const w of config.warnings) ctx.err(`${w}\n`);
    const repository = typeof config.rawCluster.imageRepository === 'string' ? config.rawCluster.imageRepository : 'registry.k8s.io';
    return { version: config.cluster.kubernetesVersion, repository, criSocket: config.init?.criSocket ?? DEFAULT_CRI_SOCKET };
  }
  // No uplink in the lab: a release label (kubeadm's default "stable-1") falls back to kubeadm's own version.
  const { version, warnings } = resolveKubernetesVersion(flag(args, 'kubernetes-version') ?? DEFAULT_KUBERNETES_VERSION_LABEL, installedKubeadmVersion());
  for (const w of warnings) ctx.err(`${w}\n`);
  return { version, repository: flag(args, 'image-repository') ?? 'registry.k8s.io', criSocket: flag(args, 'cri-socket') ?? DEFAULT_CRI_SOCKET };
}

/**
 * `kubeadm config images list|pull [--kubernetes-version vX | --config F] [--cri-socket S]`.
 * list prints one image per line (or kubeadm's Images object for -o json|yaml); pull needs
 * the runtime to answer on the CRI socket, as kubeadm does, then records the images as
 * present in this host's runtime (the lab has no registry; crictl reads the record).
 */
export async function runConfig(args: ParsedArgs, ctx: KubeadmContext): Promise<void> {
  const [group, verb] = args.positionals;
  if (group !== 'images' || (verb !== 'list' && verb !== 'pull')) {
    throw new KubeadmError(`the lab's kubeadm runs "config images list" and "config images pull", not "config ${args.positionals.join(' ')}"`);
  }
  const settings = imageSettings(args, ctx);
  const images = imagesFor(settings.version, settings.repository);
  if (verb === 'list') {
    const format = flag(args, 'output') ?? 'text';
    const doc = { kind: 'Images', apiVersion: 'output.kubeadm.k8s.io/v1alpha3', images };
    if (format === 'text') ctx.out(images.map((i) => `${i}\n`).join(''));
    else if (format === 'json') ctx.out(`${JSON.stringify(doc, null, 4)}\n`);
    else if (format === 'yaml') ctx.out(`apiVersion: ${doc.apiVersion}\nimages:\n${images.map((i) => `- ${i}\n`).join('')}kind: Images\n`);
    else throw new KubeadmError(`unable to match a printer suitable for the output format "${format}", allowed formats are: json,text,yaml`);
    return;
  }
  const socketPath = settings.criSocket.replace(/^unix:\/\//, '');
  const problem = await criDialProblem(hostPath(ctx.host, socketPath));
  if (problem !== undefined) {
    throw new KubeadmError(`failed to create new CRI image service: validate service connection: validate CRI v1 image API for endpoint "${settings.criSocket}": rpc error: code = Unavailable desc = connection error: desc = "transport: Error while dialing: dial unix ${socketPath}: connect: ${problem}"`);
  }
  for (const image of images) {
    recordPulledImages(ctx.host, [image]);
    ctx.out(`[config/images] Pulled ${image}\n`);
  }
}
