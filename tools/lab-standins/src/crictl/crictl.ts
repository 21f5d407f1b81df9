import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import YAML from 'yaml';
import { flag, parseArgs } from '../common/flags';
import { type HostEnv, hostEnv, hostPath } from '../common/host-env';
import { pulledImages } from '../kubeadm/images';
import { installedPackages } from '../packages/package-db';
import { listContainers } from './ps';
import { runtimeCommand } from './runtime-commands';

/** crictl's endpoints when neither a flag nor /etc/crictl.yaml names one (deprecated, with a warning). */
const DEFAULT_ENDPOINTS = ['unix:///run/containerd/containerd.sock', 'unix:///run/crio/crio.sock', 'unix:///var/run/cri-dockerd.sock'];

function connects(socketPath: string): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(socketPath);
    const done = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(2000, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

function configuredEndpoint(host: HostEnv, kind: 'image' | 'runtime'): string | undefined {
  try {
    const config = YAML.parse(fs.readFileSync(hostPath(host, '/etc/crictl.yaml'), 'utf8')) as Record<string, unknown> | null;
    const value = (kind === 'image' ? config?.['image-endpoint'] : undefined) ?? config?.['runtime-endpoint'];
    return typeof value === 'string' && value !== '' ? value : undefined;
  } catch {
    return undefined;
  }
}

/** crictl's image list entry: the tag, a stable id from it (the lab pulls no layers). */
function imageEntry(tag: string): Record<string, unknown> {
  const id = `sha256:${crypto.createHash('sha256').update(tag).digest('hex')}`;
  return { id, repoTags: [tag], repoDigests: [], size: '0', uid: null, username: '', spec: null, pinned: /\/pause:/.test(tag) };
}

function table(tags: readonly string[]): string {
  const rows = [['IMAGE', 'TAG', 'IMAGE ID', 'SIZE'], ...tags.map((t) => {
    const at = t.lastIndexOf(':');
    return [t.slice(0, at), t.slice(at + 1), String(imageEntry(t).id).slice(7, 20), '0B'];
  })];
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length))) ?? [];
  return rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd((widths[i] ?? 0) + 3))).join('')).join('\n').concat('\n');
}

/**
 * The lab's crictl: `[-r|--runtime-endpoint|-i|--image-endpoint S] images|img [-o json|yaml|table] [-q]`
 * lists the images the lab recorded as pulled (`kubeadm config images pull`) once the
 * endpoint answers; `info [-o json|yaml] [-q]` and `version` speak the real CRI
 * (runtime.v1.RuntimeService) to the runtime on the endpoint, e.g. the real containerd.
 */
export async function crictlMain(
  argv: readonly string[],
  io: { out: (t: string) => void; err: (t: string) => void } = { out: (t) => process.stdout.write(t), err: (t) => process.stderr.write(t) },
  host: HostEnv = hostEnv(),
): Promise<number> {
  if (argv[0] === '--version' || argv[0] === '-v') {
    // urfave/cli's version flag: "crictl version v1.33.0" (cri-tools cmd/crictl/main.go); the version is cri-tools' package version.
    const installed = installedPackages()['cri-tools']?.version ?? '0.0.0';
    io.out(`crictl version v${installed.replace(/-.*$/, '')}\n`);
    return 0;
  }
  let args;
  try {
    args = parseArgs(argv, new Set(['quiet', 'q', 'debug', 'D', 'verbose', 'v', 'all', 'a']), { r: 'runtime-endpoint', i: 'image-endpoint', o: 'output', q: 'quiet', D: 'debug', a: 'all' });
  } catch (err) {
    io.err(`crictl: ${(err as Error).message}\n`);
    return 1;
  }
  const [command] = args.positionals;
  const runtime = command === 'info' || command === 'version';
  if (!runtime && command !== 'images' && command !== 'img' && command !== 'image' && command !== 'ps') {
    io.err(`the lab's crictl knows images, ps, info and version, not "${command ?? ''}"\n`);
    return 1;
  }
  const given = runtime
    ? (flag(args, 'runtime-endpoint') ?? configuredEndpoint(host, 'runtime'))
    : (flag(args, 'image-endpoint') ?? flag(args, 'runtime-endpoint') ?? configuredEndpoint(host, 'image'));
  let endpoint = given;
  if (endpoint === undefined) {
    io.err(`WARN[0000] ${runtime ? 'runtime' : 'image'} connect using default endpoints: [${DEFAULT_ENDPOINTS.join(' ')}]. As the default settings are now deprecated, you should set the endpoint instead.\n`);
    for (const candidate of DEFAULT_ENDPOINTS) {
      if (await connects(hostPath(host, candidate.replace(/^unix:\/\//, '')))) {
        endpoint = candidate;
        break;
      }
    }
  }
  const socketPath = (endpoint ?? DEFAULT_ENDPOINTS[DEFAULT_ENDPOINTS.length - 1] ?? '').replace(/^unix:\/\//, '');
  if (runtime) {
    const options = { output: flag(args, 'output') ?? 'json', quiet: flag(args, 'quiet') !== undefined };
    return runtimeCommand(command, endpoint ?? `unix://${socketPath}`, hostPath(host, socketPath), options, io);
  }
  if (!(await connects(hostPath(host, socketPath)))) {
    io.err(`E0000 validate service connection: validate CRI v1 image API for endpoint "${endpoint ?? `unix://${socketPath}`}": rpc error: code = Unavailable desc = connection error: desc = "transport: Error while dialing: dial unix ${socketPath}: connect: no such file or directory"\n`);
    io.err('FATA[0000] validate service connection: CRI v1 image API is not implemented for endpoint\n');
    return 1;
  }
  if (command === 'ps') return listContainers(args, io, host);
  const tags = pulledImages(host);
  const format = flag(args, 'output') ?? 'table';
  if (flag(args, 'quiet') !== undefined) io.out(tags.map((t) => `${String(imageEntry(t).id)}\n`).join(''));
  else if (format === 'json') io.out(`${JSON.stringify({ images: tags.map(imageEntry) }, null, 2)}\n`);
  else if (format === 'yaml') io.out(YAML.stringify({ images: tags.map(imageEntry) }));
  else if (format === 'table') io.out(table(tags));
  else {
    io.err(`FATA[0000] unsupported output format "${format}"\n`);
    return 1;
  }
  return 0;
}
