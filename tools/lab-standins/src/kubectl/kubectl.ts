import { boolFlag, flag, parseArgs, type ParsedArgs } from '../common/flags';
import { hostEnv } from '../common/host-env';
import { KubeApiError } from '../common/kube-api';
import { rfc3339 } from '../common/kube-object';
import { ApiTransportError } from '../common/api-client';
import { resourceByName, resourceByRest } from '../common/resources';
import { runApply } from './apply';
import { apiFor, KubectlError, resolveKubeconfig, type KubectlContext } from './context';
import { runExec } from './exec';
import { runGet } from './get';
import { runCordon, runDrain } from './node-ops';
import { runWait } from './wait';

const BOOLEANS = new Set(['all-namespaces', 'all', 'stdin', 'tty', 'rm', 'ignore-daemonsets', 'delete-emptydir-data', 'force', 'help', 'wait', 'client']);
const ALIASES = { A: 'all-namespaces', n: 'namespace', o: 'output', f: 'filename', l: 'selector', i: 'stdin', t: 'tty' };

/** Parses a kubectl command line with kubectl's boolean flags and short aliases. */
export function parseKubectlArgs(argv: readonly string[]): ParsedArgs {
  return parseArgs(argv, BOOLEANS, ALIASES);
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

async function runDelete(ctx: KubectlContext, positionals: string[]): Promise<void> {
  const [kindArg, ...names] = positionals;
  const [kind, slashName] = (kindArg ?? '').split('/');
  const info = resourceByName(kind ?? '');
  if (!info) throw new KubectlError(`the server doesn't have a resource type "${kind ?? ''}"`);
  if (slashName) names.push(slashName);
  if (names.length === 0) throw new KubectlError('resource(s) were provided, but no name was specified');
  const namespace = info.namespaced ? (flag(ctx.args, 'namespace') ?? 'default') : undefined;
  for (const name of names) {
    if (!(await ctx.api.delete(info, namespace, name))) throw new KubectlError(`Error from server (NotFound): ${info.resource} "${name}" not found`, 1, true);
    ctx.out(`${info.kind.toLowerCase()} "${name}" deleted\n`);
  }
}

async function runRun(ctx: KubectlContext, positionals: string[]): Promise<void> {
  const [name, ...command] = positionals;
  const image = flag(ctx.args, 'image');
  if (!name || !image) throw new KubectlError('NAME and --image are required for run');
  const namespace = flag(ctx.args, 'namespace') ?? 'default';
  await ctx.api.create({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace, labels: { run: name } },
    spec: { restartPolicy: flag(ctx.args, 'restart') ?? 'Always', containers: [{ name, image, ...(command.length > 0 ? { command } : {}) }] },
    status: { phase: 'Pending' },
  }).catch((err: unknown) => {
    if (err instanceof KubeApiError && err.code === 409) throw new KubectlError(`Error from server (AlreadyExists): pods "${name}" already exists`, 1, true);
    throw err;
  });
  ctx.out(`pod/${name} created\n`);
}

async function runRollout(ctx: KubectlContext, positionals: string[]): Promise<void> {
  const [verb, target, maybeName] = positionals;
  const [kind, slashName] = (target ?? '').split('/');
  const name = slashName ?? maybeName;
  if (verb !== 'restart' || !name || !['deployment', 'deployments', 'deploy'].includes(kind ?? '')) {
    throw new KubectlError('the lab kubectl supports "rollout restart deployment/NAME"');
  }
  const namespace = flag(ctx.args, 'namespace') ?? 'default';
  const patch = { spec: { template: { metadata: { annotations: { 'kubectl.kubernetes.io/restartedAt': rfc3339(new Date()) } } } } };
  await ctx.api.patch(resourceByRest('apps', 'deployments'), namespace, name, patch).catch((err: unknown) => {
    if (err instanceof KubeApiError && err.code === 404) throw new KubectlError(`Error from server (NotFound): deployments.apps "${name}" not found`, 1, true);
    throw err;
  });
  ctx.out(`deployment.apps/${name} restarted\n`);
}

/** Runs one kubectl command line; returns the exit code. */
export async function kubectlMain(argv: readonly string[], io: { out: (t: string) => void; err: (t: string) => void } = { out: (t) => process.stdout.write(t), err: (t) => process.stderr.write(t) }): Promise<number> {
  try {
    const args = parseKubectlArgs(argv);
    const [command, ...rest] = args.positionals;
    if (command === 'version' && boolFlag(args, 'client')) {
      io.out('Client Version: v1.34.2\nKustomize Version: v5.7.1\n');
      return 0;
    }
    const api = apiFor(resolveKubeconfig(args, hostEnv()));
    const ctx: KubectlContext = { api, args, out: io.out, err: io.err, readStdin };
    switch (command) {
      case 'get': await runGet(ctx, rest); break;
      case 'apply': await runApply(ctx); break;
      case 'wait': await runWait(ctx, rest); break;
      case 'exec': await runExec(ctx, rest); break;
      case 'delete': await runDelete(ctx, rest); break;
      case 'run': await runRun(ctx, rest); break;
      case 'drain': await runDrain(ctx, rest[0]); break;
      case 'rollout': await runRollout(ctx, rest); break;
      case 'cordon': await runCordon(ctx, rest[0], true); break;
      case 'uncordon': await runCordon(ctx, rest[0], false); break;
      case 'cluster-info': {
        const res = await api.client.request('GET', '/healthz');
        if (res.status !== 200) throw new KubectlError(`The connection to the server ${api.client.credentials.server} was refused`, 1, true);
        io.out(`Kubernetes control plane is running at ${api.client.credentials.server}\n`);
        break;
      }
      default: throw new KubectlError(`unknown command "${command ?? ''}" for "kubectl"`);
    }
    return 0;
  } catch (err) {
    if (err instanceof KubectlError) {
      io.err(err.raw ? `${err.message}\n` : `error: ${err.message}\n`);
      return err.exitCode;
    }
    if (err instanceof ApiTransportError) {
      io.err(`Unable to connect to the server: ${err.message}\n`);
      return 1;
    }
    if (err instanceof KubeApiError) {
      io.err(`Error from server (${err.reason || err.code}): ${err.message}\n`);
      return 1;
    }
    io.err(`error: ${(err as Error).message}\n`);
    return 1;
  }
}
