import { parseGoDuration } from '../common/go-duration';
import { KubeadmError } from './kubeadm-error';

/**
 * The fields of kubeadm's config kinds, with their Go types, per API version
 * (kubernetes/kubernetes cmd/kubeadm/app/apis/kubeadm/v1beta3/types.go and v1beta4/types.go,
 * v1.34). kubeadm decodes a document twice (cmd/kubeadm/app/util/config/strict.go and the
 * callers in initconfiguration.go / joinconfiguration.go): a strict pass whose error (unknown
 * or duplicate fields) is only printed as a warning, then the normal decode, where a value of
 * the wrong type is an error.
 */
type Scalar = 'string' | 'int32' | 'bool' | 'Duration' | '[]string' | 'map[string]string' | 'map[string]bool' | 'raw';
interface StructType {
  readonly go: string;
  readonly fields: Readonly<Record<string, FieldType>>;
}
type FieldType = Scalar | { readonly struct: StructType } | { readonly list: StructType };

const struct = (go: string, fields: Record<string, FieldType>): StructType => ({ go, fields });
const one = (s: StructType): FieldType => ({ struct: s });
const many = (s: StructType): FieldType => ({ list: s });

const META = { apiVersion: 'string', kind: 'string' } as const;
const ARG = struct('Arg', { name: 'string', value: 'string' });
const ENV = struct('EnvVar', { name: 'string', value: 'string', valueFrom: 'raw' });
const TAINT = struct('Taint', { key: 'string', value: 'string', effect: 'string', timeAdded: 'string' });
const PATCHES = struct('Patches', { directory: 'string' });
const ENDPOINT = struct('APIEndpoint', { advertiseAddress: 'string', bindPort: 'int32' });
const TOKEN = struct('BootstrapToken', { token: 'string', description: 'string', ttl: 'Duration', expires: 'string', usages: '[]string', groups: '[]string' });
const MOUNT = struct('HostPathMount', { name: 'string', hostPath: 'string', mountPath: 'string', readOnly: 'bool', pathType: 'string' });

function schemas(version: 'v1beta3' | 'v1beta4'): Readonly<Record<string, StructType>> {
  const beta4 = version === 'v1beta4';
  // v1beta4 turned every extraArgs map into a list of {name, value} and added extraEnvs.
  const extraArgs: FieldType = beta4 ? many(ARG) : 'map[string]string';
  const component = (go: string, extra: Record<string, FieldType> = {}): StructType =>
    struct(go, { extraArgs, extraVolumes: many(MOUNT), ...(beta4 ? { extraEnvs: many(ENV) } : {}), ...extra });
  const registration = struct('NodeRegistrationOptions', {
    name: 'string',
    criSocket: 'string',
    taints: many(TAINT),
    kubeletExtraArgs: extraArgs,
    ignorePreflightErrors: '[]string',
    imagePullPolicy: 'string',
    ...(beta4 ? { imagePullSerial: 'bool' } : {}),
  });
  const timeouts = struct('Timeouts', { controlPlaneComponentHealthCheck: 'Duration', kubeletHealthCheck: 'Duration', kubernetesAPICall: 'Duration', etcdAPICall: 'Duration', tlsBootstrap: 'Duration', discovery: 'Duration', upgradeManifests: 'Duration' });
  const v4only = (fields: Record<string, FieldType>): Record<string, FieldType> => (beta4 ? fields : {});
  return {
    InitConfiguration: struct('InitConfiguration', {
      ...META,
      bootstrapTokens: many(TOKEN),
      nodeRegistration: one(registration),
      localAPIEndpoint: one(ENDPOINT),
      certificateKey: 'string',
      skipPhases: '[]string',
      patches: one(PATCHES),
      ...v4only({ dryRun: 'bool', timeouts: one(timeouts) }),
    }),
    ClusterConfiguration: struct('ClusterConfiguration', {
      ...META,
      etcd: one(struct('Etcd', {
        local: one(struct('LocalEtcd', { imageRepository: 'string', imageTag: 'string', dataDir: 'string', extraArgs, ...v4only({ extraEnvs: many(ENV) }), serverCertSANs: '[]string', peerCertSANs: '[]string' })),
        external: one(struct('ExternalEtcd', { endpoints: '[]string', caFile: 'string', certFile: 'string', keyFile: 'string' })),
      })),
      networking: one(struct('Networking', { serviceSubnet: 'string', podSubnet: 'string', dnsDomain: 'string' })),
      kubernetesVersion: 'string',
      controlPlaneEndpoint: 'string',
      apiServer: one(component('APIServer', { certSANs: '[]string', ...(beta4 ? {} : { timeoutForControlPlane: 'Duration' }) })),
      controllerManager: one(component('ControlPlaneComponent')),
      scheduler: one(component('ControlPlaneComponent')),
      dns: one(struct('DNS', { imageRepository: 'string', imageTag: 'string', ...v4only({ disabled: 'bool' }) })),
      ...v4only({ proxy: one(struct('Proxy', { disabled: 'bool' })) }),
      certificatesDir: 'string',
      imageRepository: 'string',
      featureGates: 'map[string]bool',
      clusterName: 'string',
      ...v4only({ encryptionAlgorithm: 'string', certificateValidityPeriod: 'Duration', caCertificateValidityPeriod: 'Duration' }),
    }),
    JoinConfiguration: struct('JoinConfiguration', {
      ...META,
      ...v4only({ dryRun: 'bool', timeouts: one(timeouts) }),
      nodeRegistration: one(registration),
      caCertPath: 'string',
      discovery: one(struct('Discovery', {
        bootstrapToken: one(struct('BootstrapTokenDiscovery', { token: 'string', apiServerEndpoint: 'string', caCertHashes: '[]string', unsafeSkipCAVerification: 'bool' })),
        file: one(struct('FileDiscovery', { kubeConfigPath: 'string' })),
        tlsBootstrapToken: 'string',
        ...(beta4 ? {} : { timeout: 'Duration' }),
      })),
      controlPlane: one(struct('JoinControlPlane', { localAPIEndpoint: one(ENDPOINT), certificateKey: 'string' })),
      skipPhases: '[]string',
      patches: one(PATCHES),
    }),
  };
}

/** What decoding one document found: unknown fields (a warning) or a type error (fatal). */
export interface DecodeFindings {
  readonly unknownFields: string[];
}

const jsonKind = (v: unknown): string => (v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v === 'boolean' ? 'bool' : typeof v === 'number' ? 'number' : typeof v === 'string' ? 'string' : 'object');

/** encoding/json's UnmarshalTypeError text, as kubeadm prints it. */
function typeError(value: unknown, owner: string, field: string, goType: string): KubeadmError {
  return new KubeadmError(`json: cannot unmarshal ${jsonKind(value)} into Go struct field ${owner}.${field} of type ${goType}`);
}

function checkValue(value: unknown, type: FieldType, owner: string, path: string, unknown: string[], pkg: string): void {
  if (value === null || value === undefined) return;
  if (typeof type === 'string') {
    switch (type) {
      case 'string':
        if (typeof value !== 'string') throw typeError(value, owner, path, 'string');
        return;
      case 'int32':
        if (typeof value !== 'number' || !Number.isInteger(value)) throw typeError(value, owner, path, 'int32');
        return;
      case 'bool':
        if (typeof value !== 'boolean') throw typeError(value, owner, path, 'bool');
        return;
      case 'Duration':
        // metav1.Duration unmarshals a JSON string through time.ParseDuration (k8s.io/apimachinery pkg/apis/meta/v1/duration.go).
        if (typeof value !== 'string') throw new KubeadmError(`json: cannot unmarshal ${jsonKind(value)} into Go value of type string`);
        try {
          parseGoDuration(value);
        } catch {
          throw new KubeadmError(`time: invalid duration "${value}"`);
        }
        return;
      case '[]string':
        if (!Array.isArray(value)) throw typeError(value, owner, path, '[]string');
        for (const item of value) if (typeof item !== 'string') throw typeError(item, owner, path, 'string');
        return;
      case 'map[string]string':
      case 'map[string]bool': {
        const goType = type === 'map[string]string' ? 'string' : 'bool';
        if (jsonKind(value) !== 'object') throw typeError(value, owner, path, type);
        for (const item of Object.values(value as Record<string, unknown>)) if (jsonKind(item) !== goType) throw typeError(item, owner, path, goType);
        return;
      }
      case 'raw':
        return;
    }
  }
  if ('list' in type) {
    if (!Array.isArray(value)) throw typeError(value, owner, path, `[]${pkg}.${type.list.go}`);
    for (const item of value) checkStruct(item, type.list, path, unknown, pkg);
    return;
  }
  if (jsonKind(value) !== 'object') throw typeError(value, owner, path, `${pkg}.${type.struct.go}`);
  checkStruct(value, type.struct, path, unknown, pkg);
}

function checkStruct(value: unknown, type: StructType, path: string, unknown: string[], pkg: string): void {
  if (jsonKind(value) !== 'object') throw typeError(value, type.go, path, `${pkg}.${type.go}`);
  for (const [key, item] of Object.entries(value as Record<string, unknown>)) {
    const at = path === '' ? key : `${path}.${key}`;
    const fieldType = type.fields[key];
    if (fieldType === undefined) unknown.push(at);
    else checkValue(item, fieldType, type.go, at, unknown, pkg);
  }
}

/**
 * Decodes one kubeadm document as kubeadm does: throws kubeadm's error for a value of the
 * wrong type; returns the unknown fields, which kubeadm only warns about.
 */
export function decodeKubeadmDocument(doc: Readonly<Record<string, unknown>>, version: 'v1beta3' | 'v1beta4', kind: string): DecodeFindings {
  const schema = schemas(version)[kind];
  if (schema === undefined) return { unknownFields: [] };
  const unknownFields: string[] = [];
  checkStruct(doc, schema, '', unknownFields, version);
  return { unknownFields };
}

/**
 * The warning kubeadm prints for a strict decoding error: VerifyUnmarshalStrict's
 * "error unmarshaling configuration %#v" around apimachinery's "strict decoding error: ..."
 * (k8s.io/apimachinery pkg/runtime/serializer/json), logged with klog.Warning.
 */
export function strictDecodingWarning(group: string, version: string, kind: string, unknownFields: readonly string[]): string {
  const gvk = `schema.GroupVersionKind{Group:"${group}", Version:"${version}", Kind:"${kind}"}`;
  return `error unmarshaling configuration ${gvk}: strict decoding error: ${unknownFields.map((f) => `unknown field "${f}"`).join(', ')}`;
}
