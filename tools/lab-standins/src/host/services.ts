import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

/** Where service records live inside a host (/run: gone after a reboot, like systemd's state). */
export const SERVICES_DIR = '/run/kumi-lab/services';
/** Default directory of service logs inside a host. */
export const SERVICE_LOG_DIR = '/var/log/kumi-lab';

/** systemd's Restart= values the lab honours. */
export type RestartPolicy = 'no' | 'on-failure' | 'always';

/** What to run as a background service. */
export interface ServiceSpec {
  name: string;
  argv: string[];
  env: Record<string, string>;
  logFile: string;
  restart: RestartPolicy;
  restartSec: number;
  /** A oneshot unit with RemainAfterExit=yes stays active after a clean exit. */
  remainAfterExit?: boolean;
}

/** A service's state, kept by its monitor process. */
export interface ServiceRecord {
  name: string;
  state: 'starting' | 'running' | 'stopping' | 'inactive' | 'failed' | 'exited';
  monitorPid: number;
  mainPid?: number;
  startedAt?: string;
  exitCode?: number | null;
  signal?: string | null;
  restarts: number;
  argv: string[];
  logFile: string;
}

const recordFile = (name: string) => path.join(SERVICES_DIR, `${name}.json`);
/** Spec file the monitor reads; it holds the environment, so it is 0600 and removed once read. */
export const specFile = (name: string) => path.join(SERVICES_DIR, `${name}.spec.json`);

/** Reads a service's record; undefined when it never ran since boot. */
export function readServiceRecord(name: string): ServiceRecord | undefined {
  try {
    return JSON.parse(readFileSync(recordFile(name), 'utf8')) as ServiceRecord;
  } catch {
    return undefined;
  }
}

/** Writes a service's record atomically (the monitor's job). */
export function writeServiceRecord(record: ServiceRecord): void {
  mkdirSync(SERVICES_DIR, { recursive: true });
  const file = recordFile(record.name);
  writeFileSync(`${file}.tmp`, `${JSON.stringify(record)}\n`);
  renameSync(`${file}.tmp`, file);
}

/** True while pid is a live (non-zombie) process in this host. */
export function pidAlive(pid: number | undefined): boolean {
  if (!pid) return false;
  try {
    return !/\) Z /.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

/** The service's state as systemctl would say it: active, activating, deactivating, inactive or failed. */
export function serviceStatus(name: string): { active: 'active' | 'activating' | 'deactivating' | 'inactive' | 'failed'; record?: ServiceRecord } {
  const record = readServiceRecord(name);
  if (!record) return { active: 'inactive' };
  const monitorAlive = pidAlive(record.monitorPid);
  if (record.state === 'failed') return { active: 'failed', record };
  if (record.state === 'inactive') return { active: 'inactive', record };
  if (record.state === 'exited') return { active: 'active', record };
  if (!monitorAlive) return { active: 'failed', record };
  if (record.state === 'starting') return { active: 'activating', record };
  if (record.state === 'stopping') return { active: 'deactivating', record };
  return { active: 'active', record };
}

/** Names of every service that ran since boot. */
export function listServices(): string[] {
  if (!existsSync(SERVICES_DIR)) return [];
  return readdirSync(SERVICES_DIR)
    .filter((f) => f.endsWith('.json') && !f.endsWith('.spec.json'))
    .map((f) => f.slice(0, -'.json'.length));
}

/** Path of the lab's service tool, next to the running stand-in bundle. */
function serviceTool(): string {
  const beside = path.join(path.dirname(process.argv[1] ?? ''), 'kumi-lab-service');
  if (existsSync(beside)) return beside;
  const info = JSON.parse(readFileSync('/etc/kumi-lab/host.json', 'utf8')) as { labDir: string };
  return path.join(info.labDir, 'bin', 'kumi-lab-service');
}

/**
 * Starts a service in the background of this host under a monitor process that records its
 * exit and restarts it per policy. No-op when it already runs. Resolves once the main process
 * has been spawned (or the monitor gave up).
 */
export async function startService(
  name: string,
  argv: string[],
  opts: { env?: Record<string, string>; logFile?: string; restart?: RestartPolicy; restartSec?: number; remainAfterExit?: boolean } = {},
): Promise<ServiceRecord> {
  if (!/^[A-Za-z0-9@._-]+$/.test(name)) throw new Error(`bad service name "${name}": use letters, digits, @ . _ -`);
  if (argv.length === 0) throw new Error(`service ${name}: empty command`);
  const current = serviceStatus(name);
  if ((current.active === 'active' || current.active === 'activating') && current.record) return current.record;
  if (current.record && pidAlive(current.record.monitorPid)) await stopService(name);
  const spec: ServiceSpec = {
    name,
    argv,
    env: opts.env ?? { ...process.env } as Record<string, string>,
    logFile: opts.logFile ?? path.join(SERVICE_LOG_DIR, `${name}.log`),
    restart: opts.restart ?? 'no',
    restartSec: opts.restartSec ?? 0.1,
    remainAfterExit: opts.remainAfterExit,
  };
  mkdirSync(SERVICES_DIR, { recursive: true });
  rmSync(recordFile(name), { force: true });
  writeFileSync(specFile(name), JSON.stringify(spec), { mode: 0o600 });
  const monitor = spawn(process.execPath, [serviceTool(), 'monitor', name], { detached: true, stdio: 'ignore' });
  monitor.unref();
  // Record the monitor before anything can await: if this process dies now (a kubelet stopped
  // mid-sync), a later stopService still finds the monitor and stops what it starts, instead
  // of seeing no record and leaving an orphan service behind.
  if (monitor.pid) writeServiceRecord({ name, state: 'starting', monitorPid: monitor.pid, restarts: 0, argv, logFile: spec.logFile });
  for (let i = 0; i < 100; i++) {
    const record = readServiceRecord(name);
    if (record && record.state !== 'starting') return record;
    if (!pidAlive(monitor.pid) && !record) break;
    await sleep(20);
  }
  const record = readServiceRecord(name);
  if (!record) throw new Error(`service ${name}: its monitor did not start`);
  return record;
}

/** Stops a service (SIGTERM to its process group, SIGKILL after timeoutMs); no-op when stopped. */
export async function stopService(name: string, timeoutMs = 5000): Promise<void> {
  const record = readServiceRecord(name);
  if (!record || !pidAlive(record.monitorPid)) {
    if (record && record.state !== 'failed') writeServiceRecord({ ...record, state: 'inactive' });
    return;
  }
  process.kill(record.monitorPid, 'SIGTERM');
  const deadline = Date.now() + timeoutMs + 2000;
  while (pidAlive(record.monitorPid) && Date.now() < deadline) await sleep(20);
  if (pidAlive(record.monitorPid)) throw new Error(`service ${name} (monitor ${record.monitorPid}) did not stop`);
  // A monitor stopped before it took over leaves the starter's 'starting' record: it never ran.
  if (readServiceRecord(name)?.state === 'starting') writeServiceRecord({ ...record, state: 'inactive' });
}

/** Sends a signal to a service's main process (e.g. SIGHUP for a reload). */
export function signalService(name: string, signal: NodeJS.Signals): void {
  const record = readServiceRecord(name);
  if (!record?.mainPid || !pidAlive(record.mainPid)) throw new Error(`service ${name} is not running`);
  process.kill(record.mainPid, signal);
}
