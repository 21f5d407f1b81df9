import crypto from 'node:crypto';
import { knownResources, type ResourceInfo } from '../common/resources';

/**
 * /openapi/v3: the index of group-version documents and one document per group-version,
 * reduced to what kubectl reads from it. kubectl ≥ 1.27 validates with --validate=strict
 * by default; cli-runtime's resource/query_param_verifier_v3.go (supportsQueryParamV3)
 * looks for the PATCH operation of the object's GVK (its `x-kubernetes-group-version-kind`)
 * and, when it lists the `fieldValidation` query parameter, leaves validation to the server
 * (`?fieldValidation=Strict`, see field-validation.ts) instead of downloading /openapi/v2.
 * A GVK without such a path fails `kubectl apply` ("Path not found for GVK"), so every
 * served kind has one. There are no component schemas: kubectl apply then builds its
 * strategic merge patches from its compiled-in types (apply/patcher.go falls back to
 * buildStrategicMergeFromBuiltins), as for any server whose spec lacks a kind's schema.
 * The index format is k8s.io/kube-openapi's handler3 (`paths` → `serverRelativeURL` with a hash).
 */

function gvPath(info: Pick<ResourceInfo, 'group' | 'version'>): string {
  return info.group === '' ? `api/${info.version}` : `apis/${info.group}/${info.version}`;
}

function documentFor(gv: string): Record<string, unknown> | undefined {
  const resources = knownResources().filter((r) => gvPath(r) === gv);
  if (resources.length === 0) return undefined;
  const paths: Record<string, unknown> = {};
  for (const r of resources) {
    const item = `/${gv}${r.namespaced ? '/namespaces/{namespace}' : ''}/${r.resource}/{name}`;
    paths[item] = {
      patch: {
        operationId: `patch${r.kind}`,
        'x-kubernetes-action': 'patch',
        'x-kubernetes-group-version-kind': { group: r.group, version: r.version, kind: r.kind },
        parameters: ['dryRun', 'fieldManager', 'fieldValidation', 'force'].map((name) => ({ name, in: 'query', schema: { type: name === 'force' ? 'boolean' : 'string', uniqueItems: true } })),
        responses: { '200': { description: 'OK' } },
      },
    };
  }
  return { openapi: '3.0.0', info: { title: 'Kubernetes', version: 'unversioned' }, paths, components: { schemas: {} } };
}

/** GET /openapi/v3 or /openapi/v3/GV: the answer, or undefined for 404. */
export function openApiV3(pathname: string): unknown {
  if (pathname === '/openapi/v3' || pathname === '/openapi/v3/') {
    const gvs = [...new Set(knownResources().map(gvPath))];
    const paths: Record<string, unknown> = {};
    for (const gv of gvs) {
      const hash = crypto.createHash('sha512').update(JSON.stringify(documentFor(gv))).digest('hex').slice(0, 128).toUpperCase();
      paths[gv] = { serverRelativeURL: `/openapi/v3/${gv}?hash=${hash}` };
    }
    return { paths };
  }
  return documentFor(pathname.replace(/^\/openapi\/v3\//, ''));
}
