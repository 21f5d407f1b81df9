import { StoreError } from './store';

/**
 * Request bodies in Kubernetes' protobuf encoding (Content-Type
 * application/vnd.kubernetes.protobuf), which kubectl's typed clients send: `kubectl drain`
 * deletes and evicts pods with a DeleteOptions / policy/v1 Eviction body, `kubectl create
 * namespace` posts a Namespace. The envelope is k8s.io/apimachinery/pkg/runtime/serializer/
 * protobuf (magic "k8s\0" + runtime.Unknown{typeMeta=1{apiVersion=1,kind=2}, raw=2}); the
 * lab decodes the messages whose generated.proto it carries below (meta/v1 DeleteOptions,
 * Preconditions, ObjectMeta's name/generateName/namespace/labels/annotations, policy/v1
 * Eviction, core/v1 Namespace, ConfigMap and Secret) and answers 415 UnsupportedMediaType for other kinds, as a
 * server without that type's protobuf serializer does.
 */

interface Field {
  readonly no: number;
  readonly wire: number;
  readonly varint?: bigint;
  readonly bytes?: Buffer;
}

function readVarint(buf: Buffer, at: number): [bigint, number] {
  let value = 0n;
  let shift = 0n;
  for (let i = at; i < buf.length && i < at + 10; i++) {
    const byte = buf[i] ?? 0;
    value |= BigInt(byte & 0x7f) << shift;
    shift += 7n;
    if ((byte & 0x80) === 0) return [value, i + 1];
  }
  throw new StoreError(400, 'BadRequest', 'protobuf body: truncated varint');
}

/** Splits one protobuf message into its fields (wire types 0, 1, 2, 5). */
export function fields(buf: Buffer): Field[] {
  const out: Field[] = [];
  let at = 0;
  while (at < buf.length) {
    const [key, next] = readVarint(buf, at);
    at = next;
    const no = Number(key >> 3n);
    const wire = Number(key & 7n);
    if (wire === 0) {
      const [v, n] = readVarint(buf, at);
      out.push({ no, wire, varint: v });
      at = n;
    } else if (wire === 2) {
      const [len, n] = readVarint(buf, at);
      const end = n + Number(len);
      if (end > buf.length) throw new StoreError(400, 'BadRequest', 'protobuf body: truncated field');
      out.push({ no, wire, bytes: buf.subarray(n, end) });
      at = end;
    } else if (wire === 1 || wire === 5) {
      at += wire === 1 ? 8 : 4;
    } else throw new StoreError(400, 'BadRequest', `protobuf body: unsupported wire type ${wire}`);
  }
  return out;
}

const str = (f: Field | undefined): string | undefined => f?.bytes?.toString('utf8');
const one = (fs: Field[], no: number): Field | undefined => fs.filter((f) => f.no === no).pop();

/** map<string,string|bytes> entries (key=1, value=2) of a repeated field; bytes values as base64, as JSON carries them. */
function stringMap(fs: Field[], no: number, values: 'utf8' | 'base64' = 'utf8'): Record<string, string> | undefined {
  const entries = fs.filter((f) => f.no === no && f.bytes);
  if (entries.length === 0) return undefined;
  return Object.fromEntries(entries.map((e) => {
    const kv = fields(e.bytes ?? Buffer.alloc(0));
    return [str(one(kv, 1)) ?? '', one(kv, 2)?.bytes?.toString(values) ?? ''];
  }));
}

function withDefined(o: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
}

function objectMeta(buf: Buffer): Record<string, unknown> {
  const fs = fields(buf);
  return withDefined({ name: str(one(fs, 1)), generateName: str(one(fs, 2)), namespace: str(one(fs, 3)), labels: stringMap(fs, 11), annotations: stringMap(fs, 12) });
}

function deleteOptions(buf: Buffer): Record<string, unknown> {
  const fs = fields(buf);
  const out: Record<string, unknown> = { kind: 'DeleteOptions', apiVersion: 'meta.k8s.io/v1' };
  const grace = one(fs, 1)?.varint;
  if (grace !== undefined) out.gracePeriodSeconds = Number(BigInt.asIntN(64, grace));
  const pre = one(fs, 2)?.bytes;
  if (pre) {
    const p = fields(pre);
    out.preconditions = withDefined({ uid: str(one(p, 1)), resourceVersion: str(one(p, 2)) });
  }
  const orphan = one(fs, 3)?.varint;
  if (orphan !== undefined) out.orphanDependents = orphan !== 0n;
  const policy = str(one(fs, 4));
  if (policy !== undefined) out.propagationPolicy = policy;
  const dryRun = fs.filter((f) => f.no === 5).map((f) => str(f) ?? '');
  if (dryRun.length > 0) out.dryRun = dryRun;
  return out;
}

const DECODERS: Readonly<Record<string, (raw: Buffer) => Record<string, unknown>>> = {
  DeleteOptions: deleteOptions,
  Eviction: (raw) => {
    const fs = fields(raw);
    const meta = one(fs, 1)?.bytes;
    const opts = one(fs, 2)?.bytes;
    return { kind: 'Eviction', apiVersion: 'policy/v1', metadata: meta ? objectMeta(meta) : {}, ...(opts ? { deleteOptions: deleteOptions(opts) } : {}) };
  },
  ConfigMap: (raw) => {
    const fs = fields(raw);
    const meta = one(fs, 1)?.bytes;
    const binary = stringMap(fs, 3, 'base64');
    return { kind: 'ConfigMap', apiVersion: 'v1', metadata: meta ? objectMeta(meta) : {}, ...withDefined({ data: stringMap(fs, 2), binaryData: binary }) };
  },
  Secret: (raw) => {
    const fs = fields(raw);
    const meta = one(fs, 1)?.bytes;
    return { kind: 'Secret', apiVersion: 'v1', metadata: meta ? objectMeta(meta) : {}, ...withDefined({ data: stringMap(fs, 2, 'base64'), type: str(one(fs, 3)), stringData: stringMap(fs, 4) }) };
  },
  Namespace: (raw) => {
    const meta = one(fields(raw), 1)?.bytes;
    return { kind: 'Namespace', apiVersion: 'v1', metadata: meta ? objectMeta(meta) : {} };
  },
};

const MAGIC = Buffer.from([0x6b, 0x38, 0x73, 0x00]);

/** Decodes a protobuf request body into the JSON object the handlers take (as text). */
export function protobufToJson(body: Buffer): string {
  if (!body.subarray(0, 4).equals(MAGIC)) throw new StoreError(400, 'BadRequest', 'protobuf body: missing the "k8s\\0" prefix');
  const unknown = fields(body.subarray(4));
  const typeMeta = fields(one(unknown, 1)?.bytes ?? Buffer.alloc(0));
  const kind = str(one(typeMeta, 2)) ?? '';
  const decode = DECODERS[kind];
  if (!decode) throw new StoreError(415, 'UnsupportedMediaType', `the lab API server does not decode ${kind || 'this kind'} from protobuf; send application/json`);
  const decoded = decode(one(unknown, 2)?.bytes ?? Buffer.alloc(0));
  const apiVersion = str(one(typeMeta, 1));
  return JSON.stringify({ ...decoded, ...(apiVersion ? { apiVersion } : {}) });
}
