import type { KubeObject } from '../common/kube-object';
import { StoreError } from './store';

/**
 * Label and field selectors of list and watch requests, as k8s.io/apimachinery parses them:
 * labels.Parse (pkg/labels/selector.go: `k=v`, `k==v`, `k!=v`, `k`, `!k`, `k in (a,b)`,
 * `k notin (a,b)`) and fields.ParseSelector (pkg/fields/selector.go: `f=v`, `f==v`, `f!=v`).
 * A selector that does not parse is a 400 BadRequest, as the real server answers.
 */

type Requirement = (value: string | undefined) => boolean;

/** Splits on commas outside parentheses. */
function terms(selector: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let current = '';
  for (const ch of selector) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      out.push(current.trim());
      current = '';
    } else current += ch;
  }
  if (current.trim() !== '') out.push(current.trim());
  return out.filter((t) => t !== '');
}

function labelRequirement(term: string): [string, Requirement] {
  const set = /^([^\s!=]+)\s+(in|notin)\s+\(([^)]*)\)$/.exec(term);
  if (set?.[1] && set[2] && set[3] !== undefined) {
    const values = new Set(set[3].split(',').map((v) => v.trim()));
    return set[2] === 'in' ? [set[1], (v) => v !== undefined && values.has(v)] : [set[1], (v) => v === undefined || !values.has(v)];
  }
  const cmp = /^([^\s!=]+)\s*(==|=|!=)\s*([^\s,]*)$/.exec(term);
  if (cmp?.[1] && cmp[2]) {
    const want = cmp[3] ?? '';
    return cmp[2] === '!=' ? [cmp[1], (v) => v !== want] : [cmp[1], (v) => v === want];
  }
  const exists = /^(!?)([^\s!=()]+)$/.exec(term);
  if (exists?.[2]) return exists[1] === '!' ? [exists[2], (v) => v === undefined] : [exists[2], (v) => v !== undefined];
  throw new StoreError(400, 'BadRequest', `unable to parse requirement: found '${term}', expected: in, notin, =, ==, !=, gt, lt`);
}

function fieldValue(obj: KubeObject, path: string): string {
  const value = path.split('.').reduce<unknown>((o, key) => (o !== null && typeof o === 'object' ? (o as Record<string, unknown>)[key] : undefined), obj);
  return value === undefined || value === null ? '' : String(value);
}

/** A compiled pair of selectors; `matches` tells whether an object is selected. */
export interface Selection {
  matches(obj: KubeObject): boolean;
}

/** Compiles the labelSelector and fieldSelector query parameters. */
export function selection(url: URL): Selection {
  const labels = terms(url.searchParams.get('labelSelector') ?? '').map(labelRequirement);
  const fields = terms(url.searchParams.get('fieldSelector') ?? '').map((term) => {
    const m = /^([^!=]+)(==|=|!=)(.*)$/.exec(term);
    if (!m?.[1] || !m[2]) throw new StoreError(400, 'BadRequest', `invalid selector: '${term}'; can't understand '${term}'`);
    const [path, op, want] = [m[1].trim(), m[2], (m[3] ?? '').trim()];
    return (obj: KubeObject) => (op === '!=' ? fieldValue(obj, path) !== want : fieldValue(obj, path) === want);
  });
  return {
    matches(obj) {
      const objLabels = obj.metadata?.labels ?? {};
      return labels.every(([key, ok]) => ok(objLabels[key])) && fields.every((ok) => ok(obj));
    },
  };
}
