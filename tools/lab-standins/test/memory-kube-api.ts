import crypto from 'node:crypto';
import type { ApiClient } from '../src/common/api-client';
import { KubeApi, KubeApiError } from '../src/common/kube-api';
import type { KubeObject } from '../src/common/kube-object';
import { resourceForKind, type ResourceInfo } from '../src/common/resources';

/**
 * An in-memory API server behind KubeApi's methods, for running stand-in commands without
 * etcd or TLS. Objects get a uid and creationTimestamp; selectors are not evaluated.
 */
export class MemoryKubeApi extends KubeApi {
  readonly objects = new Map<string, KubeObject>();

  constructor() {
    super(undefined as unknown as ApiClient);
  }

  private key(info: ResourceInfo, namespace: string | undefined, name: string): string {
    return `${info.resource}/${namespace ?? ''}/${name}`;
  }

  private keyOf(obj: KubeObject): string {
    return this.key(resourceForKind(obj.apiVersion ?? 'v1', obj.kind ?? ''), obj.metadata?.namespace, obj.metadata?.name ?? '');
  }

  override get(info: ResourceInfo, namespace: string | undefined, name: string): Promise<KubeObject> {
    const found = this.objects.get(this.key(info, namespace, name));
    return found ? Promise.resolve(structuredClone(found)) : Promise.reject(new KubeApiError(404, 'NotFound', `${info.resource} "${name}" not found`));
  }

  override find(info: ResourceInfo, namespace: string | undefined, name: string): Promise<KubeObject | undefined> {
    const found = this.objects.get(this.key(info, namespace, name));
    return Promise.resolve(found ? structuredClone(found) : undefined);
  }

  override list(info: ResourceInfo, namespace?: string): Promise<KubeObject[]> {
    const prefix = `${info.resource}/${namespace ?? ''}`;
    return Promise.resolve([...this.objects.entries()].filter(([k]) => (namespace === undefined ? k.startsWith(`${info.resource}/`) : k.startsWith(`${prefix}/`))).map(([, o]) => structuredClone(o)));
  }

  override create(obj: KubeObject): Promise<KubeObject> {
    const key = this.keyOf(obj);
    if (this.objects.has(key)) return Promise.reject(new KubeApiError(409, 'AlreadyExists', `"${obj.metadata?.name ?? ''}" already exists`));
    const stored = { ...structuredClone(obj), metadata: { ...obj.metadata, uid: crypto.randomUUID(), creationTimestamp: new Date().toISOString() } };
    this.objects.set(key, stored);
    return Promise.resolve(structuredClone(stored));
  }

  override async apply(obj: KubeObject): Promise<{ object: KubeObject; created: boolean }> {
    const existing = this.objects.get(this.keyOf(obj));
    if (!existing) return { object: await this.create(obj), created: true };
    const stored = { ...structuredClone(obj), metadata: { ...obj.metadata, uid: existing.metadata?.uid, creationTimestamp: existing.metadata?.creationTimestamp } };
    this.objects.set(this.keyOf(obj), stored);
    return { object: structuredClone(stored), created: false };
  }

  override delete(info: ResourceInfo, namespace: string | undefined, name: string): Promise<boolean> {
    return Promise.resolve(this.objects.delete(this.key(info, namespace, name)));
  }
}
