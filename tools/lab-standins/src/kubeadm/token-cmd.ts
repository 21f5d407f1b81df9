import { generateBootstrapToken, BOOTSTRAP_TOKEN_RE } from '../common/bootstrap-token';
import { type ParsedArgs, boolFlag, flag } from '../common/flags';
import { parseGoDuration } from '../common/go-duration';
import { loadKubeconfig } from '../common/kubeconfig';
import { publicKeyPin } from '../common/pki';
import { adminApi, type KubeadmContext } from './cli-context';
import { type BootstrapTokenSpec, DEFAULT_TOKEN_GROUP, DEFAULT_TOKEN_TTL_MS, loadKubeadmConfig } from './config';
import { checkMixedArguments } from './init';
import { KubeadmError } from './kubeadm-error';
import { joinCommandOneLine } from './output';
import { checkTokenListFormat, renderTokenList } from './token-output';
import { createToken, deleteToken, listTokens } from './tokens';
import { hostPath, KubePaths } from '../common/host-env';

/** `kubeadm token create|delete|list|generate`. */
export async function runToken(args: ParsedArgs, ctx: KubeadmContext): Promise<void> {
  const [verb, ...rest] = args.positionals;
  const kubeconfig = flag(args, 'kubeconfig');
  if (verb === 'generate') {
    ctx.out(`${generateBootstrapToken()}\n`);
    return;
  }
  if (verb === 'create') {
    const specs = tokenSpecsToCreate(args, rest[0], ctx);
    const api = adminApi(ctx, kubeconfig);
    const created: string[] = [];
    for (const spec of specs) created.push(await createToken(api, spec, ctx.now()));
    const token = created[0] ?? '';
    if (!boolFlag(args, 'print-join-command')) {
      ctx.out(`${token}\n`);
      return;
    }
    const creds = loadKubeconfig(kubeconfig ?? hostPath(ctx.host, KubePaths.adminConf));
    const endpoint = creds.server.replace(/^https:\/\//, '');
    ctx.out(`${joinCommandOneLine({ endpoint, token, caCertHashes: [publicKeyPin(creds.caPem ?? '')], controlPlane: false })}\n`);
    return;
  }
  if (verb === 'delete') {
    if (rest.length === 0) throw new KubeadmError('missing argument; \'token delete\' is missing token of form "^([a-z0-9]{6})\\.([a-z0-9]{16})$" or "^([a-z0-9]{6})$"');
    const api = adminApi(ctx, kubeconfig);
    for (const t of rest) {
      const id = t.split('.')[0] ?? t;
      if (!(await deleteToken(api, t))) throw new KubeadmError(`failed to delete bootstrap token with ID "${id}": secrets "bootstrap-token-${id}" not found`);
      ctx.out(`bootstrap token "${id}" deleted\n`);
    }
    return;
  }
  if (verb === 'list') {
    const format = flag(args, 'output') ?? flag(args, 'experimental-output') ?? 'text';
    checkTokenListFormat(format);
    ctx.out(renderTokenList(await listTokens(adminApi(ctx, kubeconfig)), format, ctx.now()));
    return;
  }
  throw new KubeadmError(`unknown command "${verb ?? ''}" for "kubeadm token"; use create, delete, list or generate`);
}

/**
 * The tokens `kubeadm token create` makes. With `--config FILE` (an InitConfiguration) the
 * file decides, as kubeadm's LoadOrDefaultInitConfiguration does: every entry of
 * bootstrapTokens is created (a random token when one has none) and the first is printed;
 * --ttl/--usages/--groups/--description cannot be mixed with it. Without --config, the
 * positional token and the flags make one token.
 */
export function tokenSpecsToCreate(args: ParsedArgs, given: string | undefined, ctx: KubeadmContext): BootstrapTokenSpec[] {
  const file = flag(args, 'config');
  if (file !== undefined) {
    checkMixedArguments(args);
    const config = loadKubeadmConfig(file, ctx.host.hostname);
    for (const w of config.warnings) ctx.err(`${w}\n`);
    return config.init?.bootstrapTokens ?? [{ ttlMs: DEFAULT_TOKEN_TTL_MS, usages: ['signing', 'authentication'], groups: [DEFAULT_TOKEN_GROUP], description: '' }];
  }
  if (given !== undefined && !BOOTSTRAP_TOKEN_RE.test(given)) throw new KubeadmError(`the bootstrap token "${given.split('.')[0] ?? ''}..." was not of the form "^([a-z0-9]{6})\\.([a-z0-9]{16})$"`);
  const ttlText = flag(args, 'ttl');
  return [{
    token: given,
    ttlMs: ttlText === undefined ? DEFAULT_TOKEN_TTL_MS : parseGoDuration(ttlText),
    usages: (flag(args, 'usages') ?? 'signing,authentication').split(','),
    groups: (flag(args, 'groups') ?? DEFAULT_TOKEN_GROUP).split(','),
    description: flag(args, 'description') ?? '',
  }];
}
