import * as grpc from '@grpc/grpc-js';
import { fromJSON } from '@grpc/proto-loader';
import type { RuntimeConfigResponse, StatusResponse, VersionResponse } from './cri-api';
import { CRI_RUNTIME_API } from './cri-api';

/** How long one CRI call may take (crictl's default --timeout is 2 s; the lab's hosts share 2 cores). */
const CALL_TIMEOUT_MS = 10_000;

type RuntimeClient = grpc.Client & Record<string, (request: object, options: grpc.CallOptions, done: (error: grpc.ServiceError | null, response: unknown) => void) => void>;

let runtimeService: grpc.ServiceClientConstructor | undefined;

function runtimeServiceClient(): grpc.ServiceClientConstructor {
  // enums as names, defaults filled in: what the Go structs hold before crictl marshals them.
  runtimeService ??= (grpc.loadPackageDefinition(fromJSON(CRI_RUNTIME_API, { enums: String, defaults: true })) as unknown as { runtime: { v1: { RuntimeService: grpc.ServiceClientConstructor } } }).runtime.v1.RuntimeService;
  return runtimeService;
}

/** A CRI call that failed, with the gRPC status crictl and the kubelet see. */
export class CriCallError extends Error {
  constructor(
    readonly code: grpc.status,
    readonly details: string,
  ) {
    super(`rpc error: code = ${pascal(grpc.status[code] ?? String(code))} desc = ${details}`);
  }
}

function pascal(name: string): string {
  // grpc-go prints codes as codes.Code.String(): "Unimplemented", "DeadlineExceeded".
  return name.toLowerCase().split('_').map((part) => (part[0] ?? '').toUpperCase() + part.slice(1)).join('');
}

/** One unary runtime.v1.RuntimeService call on a unix socket ("/run/containerd/containerd.sock"). */
export function criRuntimeCall<T>(socketPath: string, method: 'Version' | 'Status' | 'RuntimeConfig', request: object): Promise<T> {
  const Client = runtimeServiceClient();
  const client = new Client(`unix://${socketPath}`, grpc.credentials.createInsecure()) as RuntimeClient;
  return new Promise<T>((resolve, reject) => {
    const call = client[method];
    if (call === undefined) throw new Error(`no CRI method ${method}`);
    call.call(client, request, { deadline: Date.now() + CALL_TIMEOUT_MS }, (error, response) => {
      client.close();
      if (error !== null) reject(new CriCallError(error.code, error.details));
      else resolve(response as T);
    });
  });
}

/** runtime.v1.RuntimeService/Version. */
export function criVersion(socketPath: string): Promise<VersionResponse> {
  return criRuntimeCall<VersionResponse>(socketPath, 'Version', { version: '' });
}

/** runtime.v1.RuntimeService/Status. */
export function criStatus(socketPath: string, verbose: boolean): Promise<StatusResponse> {
  return criRuntimeCall<StatusResponse>(socketPath, 'Status', { verbose });
}

/**
 * The cgroup driver the runtime uses, as the kubelet learns it: RuntimeConfig first (the
 * kubelet's KubeletCgroupDriverFromCRI, kubernetes/kubernetes pkg/kubelet/kubelet.go
 * getCgroupDriverConfig, v1.31; answered by containerd >= 1.7.17 / 2.x); containerd 1.6
 * answers Unimplemented, so then the default runc runtime's SystemdCgroup option from the
 * CRI plugin config that Status verbose returns (containerd pkg/cri/server/status.go,
 * info["config"], v1.6.20).
 */
export async function runtimeCgroupDriver(socketPath: string): Promise<'systemd' | 'cgroupfs'> {
  try {
    const config = await criRuntimeCall<RuntimeConfigResponse>(socketPath, 'RuntimeConfig', {});
    if (config.linux !== null) return config.linux.cgroup_driver === 'SYSTEMD' ? 'systemd' : 'cgroupfs';
  } catch (error) {
    if (!(error instanceof CriCallError) || error.code !== grpc.status.UNIMPLEMENTED) throw error;
  }
  const status = await criStatus(socketPath, true);
  const driver = cgroupDriverFromCriConfig(status.info['config']);
  if (driver === undefined) throw new Error('the runtime reports no cgroup driver (no RuntimeConfig, no CRI config in its status)');
  return driver;
}

/** SystemdCgroup of the default runtime in containerd's CRI config JSON (info["config"]). */
export function cgroupDriverFromCriConfig(configJson: string | undefined): 'systemd' | 'cgroupfs' | undefined {
  if (configJson === undefined) return undefined;
  const config = JSON.parse(configJson) as { containerd?: { defaultRuntimeName?: string; runtimes?: Record<string, { options?: Record<string, unknown> }> }; systemdCgroup?: boolean };
  const name = config.containerd?.defaultRuntimeName ?? 'runc';
  const options = config.containerd?.runtimes?.[name]?.options;
  if (options === undefined && config.systemdCgroup === undefined) return undefined;
  return options?.['SystemdCgroup'] === true || config.systemdCgroup === true ? 'systemd' : 'cgroupfs';
}
