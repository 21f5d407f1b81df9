import { generateBootstrapToken, BOOTSTRAP_TOKEN_RE } from '../common/bootstrap-token';
import { type ParsedArgs, boolFlag, flag } from '../common/flags';
import { parseGoDuration } from '../common/go-duration';
import { loadKubeconfig } from '../common/kubeconfig';
import { publicKeyPin } from '../common/pki';
import { adminApi, type KubeadmContext } from './cli-context';
import { DEFAULT_TOKEN_GROUP, DEFAULT_TOKEN_TTL_MS } from './config';
import { KubeadmError } from './kubeadm-error';
import { joinCommandOneLine, shortHumanDuration, tabulate } from './output';
import { createToken, deleteToken, listTokens, rfc3339 } from './tokens';
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
    const given = rest[0];
    if (given !== undefined && !BOOTSTRAP_TOKEN_RE.test(given)) throw new KubeadmError(`the bootstrap token "${given.split('.')[0] ?? ''}..." was not of the form "^([a-z0-9]{6})\\.([a-z0-9]{16})$"`);
    const ttlText = flag(args, 'ttl');
    const api = adminApi(ctx, kubeconfig);
    const token = await createToken(api, {
      token: given,
      ttlMs: ttlText === undefined ? DEFAULT_TOKEN_TTL_MS : parseGoDuration(ttlText),
      usages: (flag(args, 'usages') ?? 'signing,authentication').split(','),
      groups: (flag(args, 'groups') ?? DEFAULT_TOKEN_GROUP).split(','),
      description: flag(args, 'description') ?? '',
    }, ctx.now());
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
    const now = ctx.now();
    const rows = (await listTokens(adminApi(ctx, kubeconfig))).filter((r) => r.usages.length > 0 || r.groups.length > 0);
    const table = [['TOKEN', 'TTL', 'EXPIRES', 'USAGES', 'DESCRIPTION', 'EXTRA GROUPS']];
    for (const r of rows) {
      table.push([r.token, shortHumanDuration(r.expires ? r.expires.getTime() - now.getTime() : undefined), r.expires ? rfc3339(r.expires) : '<never>', r.usages.join(',') || '<none>', r.description || '<none>', r.groups.join(',')]);
    }
    ctx.out(tabulate(table));
    return;
  }
  throw new KubeadmError(`unknown command "${verb ?? ''}" for "kubeadm token"; use create, delete, list or generate`);
}
