// CRI RuntimeService of the lab's cri-dockerd (Mirantis/cri-dockerd core/docker_service.go Version/Status/RuntimeConfig, v0.3.16).
import { existsSync, readdirSync } from 'node:fs';
import * as grpc from '@grpc/grpc-js';
import type { RuntimeConfigResponse, StatusResponse, VersionResponse } from '../crictl/cri-api';
import { dockerVersion } from './docker-api';
import { SystemInfoCache } from './system-info-cache';

/** What the lab's cri-dockerd serves from, fixed when it starts (as the real one reads Docker's info once). */
export interface CriDockerdState {
  /** dockerd's API socket (--docker-endpoint without unix://). */
  dockerSocket: string;
  /** Docker's cgroup driver from `GET /info` at start ("cgroupfs" when Docker names none). */
  cgroupDriver: string;
  /** cri-dockerd's own release, e.g. "0.3.16": RuntimeConfig exists from 0.3.17 on. */
  release: string;
  /** --pod-infra-container-image, or "" for the default. */
  podSandboxImage: string;
  /** The CNI config folder (--cni-conf-dir): NetworkReady once it holds a network config. */
  cniConfDir: string;
  /** The memo of dockerd's version (see system-info-cache.ts); a fresh 1-minute one when absent. */
  systemInfoCache?: SystemInfoCache;
}

/** cri-dockerd core/sandbox_helpers.go defaultSandboxImage at v0.3.16 (3.10 from v0.4). */
export const DEFAULT_SANDBOX_IMAGE = 'registry.k8s.io/pause:3.9';

/** Whether a release has RuntimeService/RuntimeConfig (added in Mirantis/cri-dockerd v0.3.17 core/docker_service.go). */
export function hasRuntimeConfig(release: string): boolean {
  const [major = 0, minor = 0, patch = 0] = release.split('.').map(Number);
  return major > 0 || minor > 3 || (minor === 3 && patch >= 17);
}

/**
 * CNI's plugin status as cri-dockerd's network/cni/cni.go checkInitialized: an error until the
 * conf dir holds a .conf/.conflist/.json network config.
 */
function networkError(confDir: string): string | undefined {
  const configs = existsSync(confDir) ? readdirSync(confDir).filter((f) => /\.(conf|conflist|json)$/.test(f)) : [];
  return configs.length > 0 ? undefined : 'cni config uninitialized';
}

type Unary<Req, Res> = (call: grpc.ServerUnaryCall<Req, Res>, done: grpc.sendUnaryData<Res>) => void;

/**
 * runtime.v1.RuntimeService of cri-dockerd over the Docker API (Mirantis/cri-dockerd
 * core/docker_service.go, v0.3.16 and v0.3.17): Version and Status ask dockerd for its version
 * through getDockerVersion's memo (a successful answer is reused for a minute, a failure is not),
 * Status reports RuntimeReady false (DockerDaemonNotReady) when that fails, RuntimeConfig gives
 * the cgroup driver read at start. Every other method is Unimplemented here (grpc's default).
 */
export function criDockerdHandlers(state: CriDockerdState): Record<string, Unary<never, unknown>> {
  const cache = state.systemInfoCache ?? new SystemInfoCache();
  const getDockerVersion = () => cache.memoize('docker_version', () => dockerVersion(state.dockerSocket));
  const version: Unary<{ version: string }, VersionResponse> = (_call, done) => {
    getDockerVersion().then(
      (v) => done(null, { version: '0.1.0', runtime_name: 'docker', runtime_version: v.Version, runtime_api_version: 'v1' }),
      (error: Error) => done({ code: grpc.status.UNKNOWN, details: `failed to get docker version from dockerd: ${error.message}` }),
    );
  };
  const status: Unary<{ verbose: boolean }, StatusResponse> = (call, done) => {
    const runtimeReady = { type: 'RuntimeReady', status: true, reason: '', message: '' };
    const networkReady = { type: 'NetworkReady', status: true, reason: '', message: '' };
    getDockerVersion()
      .catch((error: Error) => {
        Object.assign(runtimeReady, { status: false, reason: 'DockerDaemonNotReady', message: `docker: failed to get docker version: failed to get docker version from dockerd: ${error.message}` });
      })
      .then(() => {
        const network = networkError(state.cniConfDir);
        if (network !== undefined) Object.assign(networkReady, { status: false, reason: 'NetworkPluginNotReady', message: `docker: network plugin is not ready: ${network}` });
        const info: Record<string, string> = call.request.verbose ? { config: JSON.stringify({ sandboxImage: state.podSandboxImage || DEFAULT_SANDBOX_IMAGE }) } : {};
        done(null, { status: { conditions: [runtimeReady, networkReady] }, info, runtime_handlers: [], features: null });
      }, (error: Error) => done({ code: grpc.status.UNKNOWN, details: error.message }));
  };
  const runtimeConfig: Unary<object, RuntimeConfigResponse> = (_call, done) => {
    if (state.cgroupDriver !== 'systemd' && state.cgroupDriver !== 'cgroupfs') done({ code: grpc.status.UNKNOWN, details: `unknown cgroup driver: ${state.cgroupDriver}` });
    else done(null, { linux: { cgroup_driver: state.cgroupDriver === 'systemd' ? 'SYSTEMD' : 'CGROUPFS' } });
  };
  const handlers: Record<string, Unary<never, unknown>> = { Version: version as Unary<never, unknown>, Status: status as Unary<never, unknown> };
  if (hasRuntimeConfig(state.release)) handlers['RuntimeConfig'] = runtimeConfig as Unary<never, unknown>;
  return handlers;
}
