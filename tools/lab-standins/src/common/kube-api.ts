import type { ApiClient} from './api-client';
import { statusMessage, type ApiResponse } from './api-client';
import type { KubeObject } from './kube-object';
import { resourceForKind, restPath, type ResourceInfo } from './resources';

/** An error answer of the API server, with its HTTP code and Status reason. */
export class KubeApiError extends Error {
  constructor(
    readonly code: number,
    readonly reason: string,
    message: string,
  ) {
    super(message);
    this.name = 'KubeApiError';
  }
}

function check(res: ApiResponse): KubeObject {
  if (res.status >= 200 && res.status < 300) return res.body as KubeObject;
  const reason = (res.body as { reason?: string } | undefined)?.reason ?? '';
  throw new KubeApiError(res.status, reason, statusMessage(res));
}

/** Typed helpers over ApiClient for whole objects. */
export class KubeApi {
  constructor(readonly client: ApiClient) {}

  /** GET one object. */
  async get(info: ResourceInfo, namespace: string | undefined, name: string): Promise<KubeObject> {
    return check(await this.client.request('GET', restPath(info, namespace, name)));
  }

  /** GET one object, undefined on 404. */
  async find(info: ResourceInfo, namespace: string | undefined, name: string): Promise<KubeObject | undefined> {
    const res = await this.client.request('GET', restPath(info, namespace, name));
    return res.status === 404 ? undefined : check(res);
  }

  /** LIST objects (optionally with a label or field selector query). */
  async list(info: ResourceInfo, namespace?: string, query = ''): Promise<KubeObject[]> {
    const body = check(await this.client.request('GET', `${restPath(info, namespace)}${query}`));
    return (body.items ?? []) as KubeObject[];
  }

  /** POST an object. */
  async create(obj: KubeObject): Promise<KubeObject> {
    const info = resourceForKind(obj.apiVersion ?? 'v1', obj.kind ?? '');
    return check(await this.client.request('POST', restPath(info, obj.metadata?.namespace), obj));
  }

  /** Creates, or replaces when it exists (kubeadm's CreateOrUpdate). */
  async apply(obj: KubeObject): Promise<{ object: KubeObject; created: boolean }> {
    const info = resourceForKind(obj.apiVersion ?? 'v1', obj.kind ?? '');
    const res = await this.client.request('POST', restPath(info, obj.metadata?.namespace), obj);
    if (res.status !== 409) return { object: check(res), created: true };
    const body = { ...obj, metadata: { ...obj.metadata, resourceVersion: undefined } };
    return { object: check(await this.client.request('PUT', restPath(info, obj.metadata?.namespace, obj.metadata?.name ?? ''), body)), created: false };
  }

  /** Merge-patches an object. */
  async patch(info: ResourceInfo, namespace: string | undefined, name: string, patch: unknown): Promise<KubeObject> {
    return check(await this.client.request('PATCH', restPath(info, namespace, name), patch, 'application/merge-patch+json'));
  }

  /** DELETEs an object; false when it did not exist. */
  async delete(info: ResourceInfo, namespace: string | undefined, name: string): Promise<boolean> {
    const res = await this.client.request('DELETE', restPath(info, namespace, name));
    if (res.status === 404) return false;
    check(res);
    return true;
  }
}
