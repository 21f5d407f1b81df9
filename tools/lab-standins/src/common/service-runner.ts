import { existsSync, realpathSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { readServiceRecord, serviceStatus, startService as startLabService, stopService as stopLabService, pidAlive } from '../host/services';
import type { HostEnv } from './host-env';
import { servicePid, startService as startLocalService, stopService as stopLocalService, serviceLogFile } from './services';

/** Marker file present in every lab host (LAB-LAYOUT.md). */
const HOST_INFO = '/etc/kumi-lab/host.json';

/** True when running inside a lab host (its own namespaces, the lab's service monitor). */
export function insideLabHost(host: HostEnv): boolean {
  return host.root === '/' && existsSync(HOST_INFO);
}

/** The stand-in programs that run as services. */
export type StandinService = 'kube-apiserver' | 'kubelet';

/**
 * argv of a stand-in service. Inside a lab host it is the bundled command on the PATH
 * (/usr/bin/kube-apiserver); outside, the bundle next to the running bundle, else (running
 * from source) this Node with the same loader flags running the entry point.
 */
export function standinArgv(service: StandinService, args: readonly string[]): string[] {
  if (existsSync(HOST_INFO) && existsSync(`/usr/bin/${service}`)) return [`/usr/bin/${service}`, ...args];
  // A bundled stand-in (LAB/bin/kubeadm) finds its siblings in the same folder.
  const self = process.argv[1] ? realpathOrSelf(process.argv[1]) : '';
  const sibling = path.join(path.dirname(self), service);
  if (self !== '' && !self.endsWith('.ts') && existsSync(sibling)) return [sibling, ...args];
  const dir = { 'kube-apiserver': 'apiserver', kubelet: 'kubelet' }[service];
  const entry = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', dir, 'bin', `${service}.ts`);
  return [process.execPath, ...process.execArgv, entry, ...args];
}

function realpathOrSelf(file: string): string {
  try {
    return realpathSync(file);
  } catch {
    return file;
  }
}

/** Starts or stops a host's background processes (etcd, the API server): the lab's service monitor inside a host, detached processes outside. */
export interface ServiceRunner {
  start(name: string, argv: string[]): Promise<void>;
  stop(name: string): Promise<void>;
  running(name: string): boolean;
  logFile(name: string): string;
}

/** The service runner for this host. */
export function serviceRunner(host: HostEnv): ServiceRunner {
  if (insideLabHost(host)) {
    return {
      start: async (name, argv) => {
        const record = await startLabService(name, argv, { restart: 'on-failure', restartSec: 1 });
        if (record.state === 'failed') throw new Error(`${name} failed to start; see ${record.logFile}`);
      },
      stop: (name) => stopLabService(name),
      running: (name) => serviceStatus(name).active === 'active' && pidAlive(readServiceRecord(name)?.mainPid),
      logFile: (name) => readServiceRecord(name)?.logFile ?? `/var/log/kumi-lab/${name}.log`,
    };
  }
  return {
    start: async (name, argv) => {
      const [command, ...args] = argv;
      if (!command) throw new Error(`service ${name}: empty command`);
      startLocalService(host, name, { command, args });
    },
    stop: async (name) => {
      await stopLocalService(host, name);
    },
    running: (name) => servicePid(host, name) !== undefined,
    logFile: (name) => serviceLogFile(host, name),
  };
}
