import { goYaml } from '../common/go-yaml';
import { flag, boolFlag } from '../common/flags';
import type { KubeObject } from '../common/kube-object';
import { readyCondition } from '../common/kube-object';
import { resourceByName } from '../common/resources';
import { KubeApiError } from '../common/kube-api';
import { KubectlError, type KubectlContext } from './context';
import { runRaw } from './raw';

/** kubectl's age column ("5s", "3m", "2h", "4d"). */
export function age(created: string | undefined, now = Date.now()): string {
  if (!created) return '<unknown>';
  const s = Math.max(0, Math.floor((now - Date.parse(created)) / 1000));
  if (s < 120) return `${s}s`;
  if (s < 7200) return `${Math.floor(s / 60)}m`;
  if (s < 172_800) return `${Math.floor(s / 3600)}h`;
  return `${Math.floor(s / 86400)}d`;
}

function table(rows: string[][]): string {
  const widths: number[] = [];
  for (const r of rows) r.forEach((c, i) => (widths[i] = Math.max(widths[i] ?? 0, c.length)));
  return `${rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd((widths[i] ?? 0) + 3))).join('')).join('\n')}\n`;
}

function nodeRow(n: KubeObject): string[] {
  const ready = readyCondition(n);
  const unschedulable = (n.spec as { unschedulable?: boolean } | undefined)?.unschedulable === true;
  const status = `${ready?.status === 'True' ? 'Ready' : 'NotReady'}${unschedulable ? ',SchedulingDisabled' : ''}`;
  const roles = Object.keys(n.metadata?.labels ?? {}).filter((l) => l.startsWith('node-role.kubernetes.io/')).map((l) => l.slice('node-role.kubernetes.io/'.length)).join(',') || '<none>';
  const version = (n.status as { nodeInfo?: { kubeletVersion?: string } } | undefined)?.nodeInfo?.kubeletVersion ?? '';
  return [n.metadata?.name ?? '', status, roles, age(n.metadata?.creationTimestamp), version];
}

function podRow(p: KubeObject, withNamespace: boolean): string[] {
  const ready = readyCondition(p)?.status === 'True';
  const containers = ((p.spec as { containers?: unknown[] } | undefined)?.containers ?? [{}]).length;
  const phase = (p.status as { phase?: string } | undefined)?.phase ?? 'Pending';
  const status = phase === 'Pending' && (p.spec as { nodeName?: string } | undefined)?.nodeName ? 'ContainerCreating' : phase;
  const row = [p.metadata?.name ?? '', `${ready ? containers : 0}/${containers}`, status, '0', age(p.metadata?.creationTimestamp)];
  return withNamespace ? [p.metadata?.namespace ?? '', ...row] : row;
}

/** `kubectl get RESOURCE [NAME] [-A | -n NS] [-o json|yaml|name|wide] [-l SELECTOR]`, or `kubectl get --raw PATH`. */
export async function runGet(ctx: KubectlContext, positionals: string[]): Promise<void> {
  const raw = flag(ctx.args, 'raw');
  if (raw !== undefined) return runRaw(ctx, raw);
  const [kind, name] = positionals;
  if (!kind) throw new KubectlError('You must specify the type of resource to get. Use "kubectl api-resources" for a complete list of supported resources.');
  const info = resourceByName(kind);
  if (!info) throw new KubectlError(`the server doesn't have a resource type "${kind}"`);
  const all = boolFlag(ctx.args, 'all-namespaces');
  const namespace = info.namespaced ? (all ? undefined : (flag(ctx.args, 'namespace') ?? 'default')) : undefined;
  const selector = flag(ctx.args, 'selector');
  let items: KubeObject[];
  let single: KubeObject | undefined;
  if (name) {
    try {
      single = await ctx.api.get(info, namespace, name);
    } catch (err) {
      if (err instanceof KubeApiError && err.code === 404) throw new KubectlError(`Error from server (NotFound): ${err.message}`, 1, true);
      throw err;
    }
    items = [single];
  } else items = await ctx.api.list(info, namespace, selector ? `?labelSelector=${encodeURIComponent(selector)}` : '');
  const output = flag(ctx.args, 'output') ?? '';
  if (output === 'json' || output === 'yaml') {
    const doc = single ?? { apiVersion: 'v1', kind: 'List', items, metadata: { resourceVersion: '' } };
    ctx.out(output === 'json' ? `${JSON.stringify(doc, null, 4)}\n` : goYaml(doc));
    return;
  }
  if (output === 'name') {
    ctx.out(items.map((i) => `${info.kind.toLowerCase()}/${i.metadata?.name ?? ''}\n`).join(''));
    return;
  }
  if (output.startsWith('jsonpath=')) throw new KubectlError('the lab kubectl prints json, yaml, name and tables; jsonpath is not supported: use -o json');
  if (items.length === 0) {
    ctx.err(namespace ? `No resources found in ${namespace} namespace.\n` : 'No resources found\n');
    return;
  }
  if (info.resource === 'nodes') ctx.out(table([['NAME', 'STATUS', 'ROLES', 'AGE', 'VERSION'], ...items.map(nodeRow)]));
  else if (info.resource === 'pods') ctx.out(table([[...(all ? ['NAMESPACE'] : []), 'NAME', 'READY', 'STATUS', 'RESTARTS', 'AGE'], ...items.map((p) => podRow(p, all))]));
  else ctx.out(table([[...(all ? ['NAMESPACE'] : []), 'NAME', 'AGE'], ...items.map((i) => [...(all ? [i.metadata?.namespace ?? ''] : []), i.metadata?.name ?? '', age(i.metadata?.creationTimestamp)])]));
}
