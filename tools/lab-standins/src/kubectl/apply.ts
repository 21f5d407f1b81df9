import fs from 'node:fs';
import YAML from 'yaml';
import { flag } from '../common/flags';
import type { KubeObject } from '../common/kube-object';
import { resourceForKind, restPath } from '../common/resources';
import { statusMessage } from '../common/api-client';
import { KubectlError, type KubectlContext } from './context';

/** Reads every object of a manifest (multi-document YAML or JSON, `List` items flattened). */
export function parseManifest(text: string, source: string): KubeObject[] {
  const objects: KubeObject[] = [];
  for (const doc of YAML.parseAllDocuments(text)) {
    if (doc.errors.length > 0) throw new KubectlError(`error parsing ${source}: ${doc.errors[0]?.message ?? 'invalid YAML'}`);
    const value = doc.toJS() as KubeObject | null;
    if (!value) continue;
    if (value.kind === 'List' && Array.isArray(value.items)) objects.push(...(value.items as KubeObject[]));
    else objects.push(value);
  }
  return objects;
}

function label(obj: KubeObject): string {
  const info = resourceForKind(obj.apiVersion ?? 'v1', obj.kind ?? '');
  return `${info.kind.toLowerCase()}${info.group ? `.${info.group}` : ''}/${obj.metadata?.name ?? ''}`;
}

function sameContent(a: KubeObject, b: KubeObject): boolean {
  const strip = (o: KubeObject): unknown => {
    const { metadata, status: _status, ...rest } = o;
    const { resourceVersion: _rv, uid: _uid, creationTimestamp: _ct, ...meta } = metadata ?? {};
    return { ...rest, metadata: meta };
  };
  return JSON.stringify(strip(a)) === JSON.stringify(strip(b));
}

/** `kubectl apply -f FILE|-`: creates or replaces every object and says so per object. */
export async function runApply(ctx: KubectlContext): Promise<void> {
  const files = ctx.args.flags.get('filename') ?? [];
  if (files.length === 0) throw new KubectlError('must specify one of -f and -k');
  for (const file of files) {
    let text: string;
    if (file === '-') text = await ctx.readStdin();
    else if (/^https?:\/\//.test(file)) throw new KubectlError(`the lab has no route to ${file}: download the manifest on the machine and apply the file`);
    else {
      try {
        text = fs.readFileSync(file, 'utf8');
      } catch {
        throw new KubectlError(`the path "${file}" does not exist`);
      }
    }
    const defaultNs = flag(ctx.args, 'namespace') ?? 'default';
    for (const obj of parseManifest(text, file)) {
      if (!obj.kind || !obj.apiVersion) throw new KubectlError(`error validating "${file}": error validating data: [apiVersion not set, kind not set]; if you choose to ignore these errors, turn validation off with --validate=false`);
      const info = resourceForKind(obj.apiVersion, obj.kind);
      const ns = info.namespaced ? (obj.metadata?.namespace ?? defaultNs) : undefined;
      const body: KubeObject = { ...obj, metadata: { ...obj.metadata, ...(ns ? { namespace: ns } : {}) } };
      const name = obj.metadata?.name ?? '';
      const current = await ctx.api.client.request('GET', restPath(info, ns, name));
      if (current.status === 404) {
        const res = await ctx.api.client.request('POST', restPath(info, ns), body);
        if (res.status !== 201) throw new KubectlError(`Error from server: error when creating "${file}": ${statusMessage(res)}`, 1, true);
        ctx.out(`${label(obj)} created\n`);
      } else if (current.status === 200) {
        const existing = current.body as KubeObject;
        const merged = { ...body, status: existing.status, metadata: { ...body.metadata, resourceVersion: existing.metadata?.resourceVersion } };
        if (sameContent(existing, merged)) {
          ctx.out(`${label(obj)} unchanged\n`);
          continue;
        }
        const res = await ctx.api.client.request('PUT', restPath(info, ns, name), merged);
        if (res.status !== 200) throw new KubectlError(`Error from server: error when applying patch to "${file}": ${statusMessage(res)}`, 1, true);
        ctx.out(`${label(obj)} configured\n`);
      } else throw new KubectlError(`Error from server: ${statusMessage(current)}`, 1, true);
    }
  }
}
