import type { KubeObject } from '../common/kube-object';
import type { ResourceInfo } from '../common/resources';
import { mergePatch } from './merge-patch';
import { StoreError } from './store';
import { strategicMergePatch } from './strategic-merge';

/**
 * Applies a PATCH body by its Content-Type, as k8s.io/apiserver's endpoints/handlers/patch.go
 * (patchResource → jsonPatcher / smpPatcher) chooses: application/merge-patch+json (RFC 7386)
 * for every kind, application/strategic-merge-patch+json for the built-in kinds (a custom
 * resource answers 415, as its handler has no Go struct to take merge keys from).
 * application/json-patch+json and application/apply-patch+yaml (server-side apply) are not
 * served by the lab: 415 UnsupportedMediaType names the types it takes.
 */
export function applyPatch(info: ResourceInfo, builtIn: boolean, current: KubeObject, contentType: string, body: string): KubeObject {
  const type = contentType.split(';')[0]?.trim() ?? '';
  let patch: unknown;
  try {
    patch = JSON.parse(body);
  } catch {
    if (type === 'application/apply-patch+yaml') patch = undefined;
    else throw new StoreError(400, 'BadRequest', 'the patch is not valid JSON');
  }
  if (type === 'application/merge-patch+json') return mergePatch(current, patch) as KubeObject;
  if (type === 'application/strategic-merge-patch+json') {
    if (!builtIn) throw new StoreError(415, 'UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml`);
    return strategicMergePatch(current, patch) as KubeObject;
  }
  throw new StoreError(415, 'UnsupportedMediaType', `the lab API server does not take ${type || 'a patch without Content-Type'} for ${info.resource}; accepted media types: application/merge-patch+json, application/strategic-merge-patch+json`);
}
