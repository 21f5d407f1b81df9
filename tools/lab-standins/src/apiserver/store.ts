import crypto from 'node:crypto';
import type { EtcdClient, EtcdKv } from '../common/etcd-client';
import { rfc3339, type KubeObject } from '../common/kube-object';
import { registryKey, type ResourceInfo } from '../common/resources';

/** A store failure mapped onto an HTTP status. */
export class StoreError extends Error {
  constructor(
    readonly code: 400 | 404 | 405 | 409 | 410 | 415 | 422,
    readonly reason: 'BadRequest' | 'NotFound' | 'MethodNotAllowed' | 'AlreadyExists' | 'Conflict' | 'Expired' | 'UnsupportedMediaType' | 'Invalid',
    message: string,
  ) {
    super(message);
    this.name = 'StoreError';
  }
}

function groupResource(info: ResourceInfo): string {
  return info.group === '' ? info.resource : `${info.resource}.${info.group}`;
}

function decode(kv: EtcdKv): KubeObject {
  const obj = JSON.parse(kv.value) as KubeObject;
  obj.metadata = { ...obj.metadata, resourceVersion: kv.modRevision };
  return obj;
}

/** Objects kept as JSON in etcd under /registry/<resource>/[<namespace>/]<name>, shared by every API server. */
export class ObjectStore {
  constructor(
    private readonly etcd: EtcdClient,
    private readonly now: () => Date,
  ) {}

  private key(info: ResourceInfo, namespace: string | undefined, name: string): string {
    return registryKey(info.resource, info.namespaced ? namespace : undefined, name);
  }

  /** Reads one object or throws NotFound with the API server's message. */
  async get(info: ResourceInfo, namespace: string | undefined, name: string): Promise<KubeObject> {
    const kv = await this.etcd.get(this.key(info, namespace, name));
    if (!kv) throw new StoreError(404, 'NotFound', `${groupResource(info)} "${name}" not found`);
    return decode(kv);
  }

  /** Reads one object or undefined. */
  async find(info: ResourceInfo, namespace: string | undefined, name: string): Promise<KubeObject | undefined> {
    const kv = await this.etcd.get(this.key(info, namespace, name));
    return kv ? decode(kv) : undefined;
  }

  /** Lists objects of a resource, in one namespace or all. */
  async list(info: ResourceInfo, namespace?: string): Promise<KubeObject[]> {
    const prefix = info.namespaced && namespace ? registryKey(info.resource, namespace) : `/registry/${info.resource}/`;
    return (await this.etcd.list(prefix)).map(decode);
  }

  private stamp(info: ResourceInfo, namespace: string | undefined, obj: KubeObject): KubeObject {
    const metadata = { ...obj.metadata };
    if (!metadata.name && metadata.generateName) metadata.name = `${metadata.generateName}${crypto.randomBytes(3).toString('hex').slice(0, 5)}`;
    if (!metadata.name) throw new StoreError(422, 'Invalid', `${info.kind} is invalid: metadata.name: Required value: name or generateName is required`);
    if (info.namespaced) metadata.namespace = namespace ?? metadata.namespace ?? 'default';
    else delete metadata.namespace;
    metadata.uid ??= crypto.randomUUID();
    metadata.creationTimestamp ??= rfc3339(this.now());
    delete metadata.resourceVersion;
    return { ...obj, apiVersion: obj.apiVersion ?? (info.group === '' ? info.version : `${info.group}/${info.version}`), kind: obj.kind ?? info.kind, metadata };
  }

  /** Creates an object; AlreadyExists when the name is taken. */
  async create(info: ResourceInfo, namespace: string | undefined, obj: KubeObject): Promise<KubeObject> {
    const stamped = this.stamp(info, namespace, obj);
    const name = stamped.metadata?.name ?? '';
    const rev = await this.etcd.putIf(this.key(info, namespace, name), JSON.stringify(stamped), '0');
    if (rev === undefined) throw new StoreError(409, 'AlreadyExists', `${groupResource(info)} "${name}" already exists`);
    return { ...stamped, metadata: { ...stamped.metadata, resourceVersion: rev } };
  }

  /**
   * Replaces an object. With a resourceVersion in the body the write is conditional
   * (Conflict when it moved on); without one it is last-writer-wins, as `kubectl replace`.
   * NotFound when the object is missing.
   */
  async update(info: ResourceInfo, namespace: string | undefined, name: string, obj: KubeObject): Promise<KubeObject> {
    const key = this.key(info, namespace, name);
    const current = await this.etcd.get(key);
    if (!current) throw new StoreError(404, 'NotFound', `${groupResource(info)} "${name}" not found`);
    const existing = decode(current);
    const wanted = obj.metadata?.resourceVersion;
    if (wanted !== undefined && wanted !== '' && wanted !== current.modRevision) {
      throw new StoreError(409, 'Conflict', `Operation cannot be fulfilled on ${groupResource(info)} "${name}": the object has been modified; please apply your changes to the latest version and try again`);
    }
    const merged = this.stamp(info, namespace, {
      ...obj,
      metadata: { ...obj.metadata, name, uid: existing.metadata?.uid, creationTimestamp: existing.metadata?.creationTimestamp },
    });
    const rev = await this.etcd.putIf(key, JSON.stringify(merged), current.modRevision);
    if (rev === undefined) throw new StoreError(409, 'Conflict', `Operation cannot be fulfilled on ${groupResource(info)} "${name}": the object has been modified; please apply your changes to the latest version and try again`);
    return { ...merged, metadata: { ...merged.metadata, resourceVersion: rev } };
  }

  /** Deletes an object; NotFound when absent. Returns the deleted object. */
  async delete(info: ResourceInfo, namespace: string | undefined, name: string): Promise<KubeObject> {
    const existing = await this.get(info, namespace, name);
    await this.etcd.delete(this.key(info, namespace, name));
    return existing;
  }
}
