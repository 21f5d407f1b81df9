import { flag, boolFlag } from '../common/flags';
import { parseGoDuration } from '../common/go-duration';
import type { KubeCondition, KubeObject } from '../common/kube-object';
import { type ResourceInfo, resourceByName } from '../common/resources';
import { KubectlError, type KubectlContext } from './context';

/** `kubectl wait --for=condition=C[=V] | --for=delete RESOURCE (NAME... | --all | -l SEL) [--timeout=D]`. */
export async function runWait(ctx: KubectlContext, positionals: string[]): Promise<void> {
  const forText = flag(ctx.args, 'for') ?? '';
  const forDelete = forText.toLowerCase() === 'delete';
  const m = /^condition=([^=]+)(?:=(.+))?$/.exec(forText);
  if (!forDelete && !m?.[1]) throw new KubectlError(`unrecognized condition: "${forText}"; the lab kubectl waits for --for=delete or --for=condition=NAME[=VALUE]`);
  const conditionType = (m?.[1] ?? '').toLowerCase();
  const wanted = (m?.[2] ?? 'True').toLowerCase();
  const [kindArg, ...names] = positionals;
  const [kind, slashName] = (kindArg ?? '').split('/');
  const info = resourceByName(kind ?? '');
  if (!info) throw new KubectlError(`the server doesn't have a resource type "${kind ?? ''}"`);
  if (slashName) names.push(slashName);
  const all = boolFlag(ctx.args, 'all');
  const selector = flag(ctx.args, 'selector');
  if (names.length === 0 && !all && !selector) throw new KubectlError('resource(s) were provided, but no name was specified');
  const namespace = info.namespaced ? (flag(ctx.args, 'namespace') ?? 'default') : undefined;
  const timeoutMs = parseGoDuration(flag(ctx.args, 'timeout') ?? '30s');
  const deadline = Date.now() + timeoutMs;
  const met = (obj: KubeObject): boolean => ((obj.status as { conditions?: KubeCondition[] } | undefined)?.conditions ?? []).some((c) => c.type.toLowerCase() === conditionType && c.status.toLowerCase() === wanted);
  const reported = new Set<string>();
  if (forDelete) return waitForDelete(ctx, info, namespace, names, selector, deadline);
  for (;;) {
    const objects = names.length > 0
      ? await Promise.all(names.map((n) => ctx.api.find(info, namespace, n)))
      : await ctx.api.list(info, namespace, selector ? `?labelSelector=${encodeURIComponent(selector)}` : '');
    if (names.length === 0 && objects.length === 0) throw new KubectlError(`no matching resources found`);
    let pending: string | undefined;
    for (const [i, obj] of objects.entries()) {
      const name = obj?.metadata?.name ?? names[i] ?? '';
      if (obj && met(obj)) {
        if (!reported.has(name)) ctx.out(`${info.kind.toLowerCase()}/${name} condition met\n`);
        reported.add(name);
      } else pending ??= name;
    }
    if (pending === undefined) return;
    if (Date.now() >= deadline) throw new KubectlError(`timed out waiting for the condition on ${info.resource}/${pending}`);
    await new Promise((r) => setTimeout(r, Math.min(1000, Math.max(50, deadline - Date.now()))));
  }
}

/**
 * `--for=delete`: objects already gone count as deleted (kubectl ignores NotFound here, and
 * an empty selector match is no error); each one seen is reported "condition met" once it
 * is gone, or replaced by a new object of the same name (another uid).
 */
async function waitForDelete(ctx: KubectlContext, info: ResourceInfo, namespace: string | undefined, names: string[], selector: string | undefined, deadline: number): Promise<void> {
  const initial = names.length > 0
    ? (await Promise.all(names.map((n) => ctx.api.find(info, namespace, n)))).filter((o): o is KubeObject => o !== undefined)
    : await ctx.api.list(info, namespace, selector ? `?labelSelector=${encodeURIComponent(selector)}` : '');
  const waiting = new Map(initial.map((o) => [o.metadata?.name ?? '', o.metadata?.uid]));
  for (;;) {
    for (const [name, uid] of waiting) {
      const now = await ctx.api.find(info, namespace, name);
      if (now !== undefined && now.metadata?.uid === uid) continue;
      ctx.out(`${info.kind.toLowerCase()}/${name} condition met\n`);
      waiting.delete(name);
    }
    const pending = waiting.keys().next();
    if (pending.done) return;
    if (Date.now() >= deadline) throw new KubectlError(`timed out waiting for the condition on ${info.resource}/${pending.value}`);
    await new Promise((r) => setTimeout(r, Math.min(1000, Math.max(50, deadline - Date.now()))));
  }
}
