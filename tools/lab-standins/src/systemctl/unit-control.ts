import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { readServiceRecord, SERVICE_LOG_DIR, serviceStatus, startService, stopService, writeServiceRecord, type RestartPolicy } from '../host/services';
import { parseEnvironmentFile, parseEnvironmentValue, parseExecLine } from './exec-line';
import { openNotifySocket } from './notify-ready';
import { partOfDependents } from './part-of';
import { passedSocket, socketHolderArgv, withPassedSocket } from './socket-units';
import { loadUnit, setting, settingList, type Unit } from './unit-file';

/** A failure systemctl reports with its message and exit code. */
export class SystemctlError extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super(message);
  }
}

const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin';

/** Loads a unit or fails the way systemctl does for a missing one. */
export function requireUnit(name: string, verb: string): Unit {
  const unit = loadUnit(name);
  if (unit.masked) throw new SystemctlError(`Failed to ${verb} ${unit.name}: Unit ${unit.name} is masked.`, 1);
  if (!unit.path) throw new SystemctlError(`Failed to ${verb} ${unit.name}: Unit ${unit.name} not found.`, 5);
  return unit;
}

/** The environment a unit's commands get: systemd's base, Environment=, then EnvironmentFile=. */
export function unitEnvironment(unit: Unit): Record<string, string> {
  const env: Record<string, string> = { PATH: DEFAULT_PATH, LANG: 'C.UTF-8', INVOCATION_ID: Date.now().toString(16) };
  for (const value of settingList(unit, 'Service', 'Environment')) Object.assign(env, parseEnvironmentValue(value));
  for (const value of settingList(unit, 'Service', 'EnvironmentFile')) {
    const optional = value.startsWith('-');
    const file = optional ? value.slice(1) : value;
    if (!existsSync(file)) {
      if (optional) continue;
      throw new SystemctlError(`${unit.name}: Failed to load environment files: No such file or directory (${file})`, 1);
    }
    Object.assign(env, parseEnvironmentFile(readFileSync(file, 'utf8')));
  }
  return env;
}

function specifiers(unit: Unit): Record<string, string> {
  const prefix = unit.name.replace(/\.[a-z]+$/, '');
  const instance = prefix.includes('@') ? prefix.slice(prefix.indexOf('@') + 1) : '';
  return { n: unit.name, N: prefix, p: prefix.split('@')[0] as string, i: instance, I: instance, t: '/run', S: '/var/lib', L: '/var/log' };
}

function logFile(unit: Unit): string {
  return path.join(SERVICE_LOG_DIR, `${unit.name.replace(/\.service$/, '')}.log`);
}

function jobFailed(unit: Unit): SystemctlError {
  return new SystemctlError(
    `Job for ${unit.name} failed because the control process exited with error code.\nSee "systemctl status ${unit.name}" and "journalctl -xeu ${unit.name}" for details.`,
    1,
  );
}

/** Runs control commands (ExecStartPre= etc.) in order; a failing one without "-" fails the job. */
function runControl(unit: Unit, key: string, env: Record<string, string>): void {
  for (const line of settingList(unit, 'Service', key)) {
    const exec = parseExecLine(line, env, specifiers(unit));
    mkdirSync(SERVICE_LOG_DIR, { recursive: true });
    const log = openSync(logFile(unit), 'a');
    const [file, ...args] = exec.argv;
    const result = spawnSync(file as string, args, { env, stdio: ['ignore', log, log], timeout: 90_000 });
    closeSync(log);
    if ((result.status !== 0 || result.error) && !exec.ignoreFailure) {
      writeServiceRecord({ name: serviceKey(unit), state: 'failed', monitorPid: 0, restarts: 0, argv: exec.argv, logFile: logFile(unit), exitCode: result.status ?? 203 });
      throw jobFailed(unit);
    }
  }
}

/** Service records are keyed by the unit's name without ".service". */
export function serviceKey(unit: Unit): string {
  return unit.name.replace(/\.service$/, '');
}

function conditionsMet(unit: Unit): boolean {
  for (const file of settingList(unit, 'Unit', 'ConditionFileNotEmpty')) {
    const negate = file.startsWith('!');
    const p = negate ? file.slice(1) : file;
    const ok = existsSync(p) && statSync(p).isFile() && statSync(p).size > 0;
    if (ok === negate) return false;
  }
  for (const file of settingList(unit, 'Unit', 'ConditionPathExists')) {
    const negate = file.startsWith('!');
    const ok = existsSync(negate ? file.slice(1) : file);
    if (ok === negate) return false;
  }
  return true;
}

/** Starts a unit (its Requires=/Wants= services first); no-op when active. */
export async function startUnit(name: string, seen = new Set<string>()): Promise<void> {
  const unit = requireUnit(name, 'start');
  if (seen.has(unit.name)) return;
  seen.add(unit.name);
  for (const dep of [...settingList(unit, 'Unit', 'Requires'), ...settingList(unit, 'Unit', 'Wants')].flatMap((v) => v.split(/\s+/))) {
    if (!dep.endsWith('.service') && !dep.endsWith('.socket')) continue;
    const depUnit = loadUnit(dep);
    if (depUnit.path && !depUnit.masked) await startUnit(dep, seen);
  }
  const key = serviceKey(unit);
  const status = serviceStatus(key);
  if (status.active === 'active' || status.active === 'activating') return;
  if (!conditionsMet(unit)) return;
  if (unit.name.endsWith('.socket')) return startSocketUnit(unit, key);
  const env = unitEnvironment(unit);
  runControl(unit, 'ExecStartPre', env);
  const type = setting(unit, 'Service', 'Type') ?? 'simple';
  if (type === 'forking') throw new SystemctlError(`${unit.name}: Type=forking is not supported in the kumi lab; run the daemon in the foreground`, 1);
  const execStart = settingList(unit, 'Service', 'ExecStart');
  if (execStart.length === 0) throw new SystemctlError(`${unit.name}: Service has no ExecStart= setting. Refusing.`, 1);
  if (type !== 'oneshot' && execStart.length > 1) throw new SystemctlError(`${unit.name}: Service has more than one ExecStart= setting, which is only allowed for Type=oneshot services. Refusing.`, 1);
  const remainAfterExit = /^(yes|true|1|on)$/i.test(setting(unit, 'Service', 'RemainAfterExit') ?? 'no');
  if (type === 'oneshot') {
    // Oneshot: each command runs to completion before start returns.
    for (const [i, line] of execStart.entries()) {
      const exec = parseExecLine(line, env, specifiers(unit));
      await startService(key, exec.argv, { env, logFile: logFile(unit), remainAfterExit: remainAfterExit && i === execStart.length - 1 });
      const finished = await waitForEnd(key, 90_000);
      if (finished === 'failed' && !exec.ignoreFailure) throw jobFailed(unit);
    }
  } else {
    const exec = parseExecLine(execStart[0] as string, env, specifiers(unit));
    const restart = (setting(unit, 'Service', 'Restart') ?? 'no') as RestartPolicy;
    const restartSec = parseSeconds(setting(unit, 'Service', 'RestartSec') ?? '100ms');
    const policy: RestartPolicy = restart === 'always' || restart === 'on-failure' ? restart : restart === 'no' ? 'no' : 'on-failure';
    const notify = type === 'notify' ? await openNotifySocket(key) : undefined;
    const passed = passedSocket(unit);
    const record = await startService(key, passed === undefined ? exec.argv : withPassedSocket(exec.argv, passed), { env: notify === undefined ? env : { ...env, NOTIFY_SOCKET: notify.socketPath }, logFile: logFile(unit), restart: policy, restartSec });
    if (record.state === 'failed') throw jobFailed(unit);
    if (notify !== undefined) {
      // The start job waits for READY=1 (or fails when the daemon dies first), as systemd's
      // does. Lab leniency: a daemon that is still running without READY=1 after
      // NOTIFY_WAIT_MS counts as started (the machine's HAProxy 2.6 and keepalived 2.2
      // send none to the lab's listener); systemd would fail it after TimeoutStartSec.
      const timeout = Math.min(NOTIFY_WAIT_MS, parseSeconds(setting(unit, 'Service', 'TimeoutStartSec') ?? '90') * 1000);
      const failed = (): boolean => serviceStatus(key).active === 'failed' || readServiceRecord(key)?.state === 'failed';
      if (!(await notify.ready(timeout, failed)) && failed()) throw jobFailed(unit);
    } else if (type === 'dbus') {
      // A daemon that dies at once (bad config) fails its start job.
      await sleep(300);
      if (serviceStatus(key).active === 'failed') throw jobFailed(unit);
    }
  }
  runControl(unit, 'ExecStartPost', { ...env, MAINPID: String(readServiceRecord(key)?.mainPid ?? '') });
}

/** Starts a socket unit: its holder binds the socket (see socket-units.ts); the job fails when it cannot. */
async function startSocketUnit(unit: Unit, key: string): Promise<void> {
  const argv = socketHolderArgv(unit, specifiers(unit));
  const socketPath = argv[3] as string;
  // A file left at the path (the previous holder's socket) would end the wait below before
  // the new holder listens. systemd replaces it too: src/shared/socket-label.c (v252)
  // socket_address_listen() unlinks the path when bind(2) says EADDRINUSE and binds again.
  rmSync(socketPath, { force: true });
  await startService(key, argv, { env: { PATH: DEFAULT_PATH, LANG: 'C.UTF-8' }, logFile: logFile(unit), restart: 'no' });
  for (let i = 0; i < 250; i++) {
    if (serviceStatus(key).active === 'failed' || readServiceRecord(key)?.state === 'failed') break;
    if (existsSync(socketPath) && statSync(socketPath).isSocket()) return;
    await sleep(20);
  }
  throw new SystemctlError(`Job for ${unit.name} failed.\nSee "systemctl status ${unit.name}" and "journalctl -xeu ${unit.name}" for details.`, 1);
}

/** How long a Type=notify start waits for READY=1 in the lab (containerd 1.6 sends it within ~1 s). */
const NOTIFY_WAIT_MS = 5000;

async function waitForEnd(key: string, timeoutMs: number): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const { active } = serviceStatus(key);
    const record = readServiceRecord(key);
    if (record && record.state !== 'running' && record.state !== 'starting') return record.state === 'failed' ? 'failed' : active;
    await sleep(20);
  }
  throw new SystemctlError(`Job for ${key}.service timed out.`, 1);
}

/** "5", "5s", "100ms", "1min" → seconds. */
export function parseSeconds(text: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*(ms|s|sec|min|m)?$/.exec(text.trim());
  if (!m) return 0.1;
  const n = Number(m[1]);
  return m[2] === 'ms' ? n / 1000 : m[2] === 'min' || m[2] === 'm' ? n * 60 : n;
}

/**
 * Stops a unit: ExecStop= first, then SIGTERM (SIGKILL after 5 s) to what is left; then the
 * units that are PartOf= it (see part-of.ts), as systemd propagates the stop job.
 */
export async function stopUnit(name: string, seen = new Set<string>()): Promise<void> {
  const unit = loadUnit(name);
  if (seen.has(unit.name)) return;
  seen.add(unit.name);
  if (!unit.path && !unit.masked && !readServiceRecord(serviceKey(unit))) {
    throw new SystemctlError(`Failed to stop ${unit.name}: Unit ${unit.name} not loaded.`, 5);
  }
  const key = serviceKey(unit);
  const record = readServiceRecord(key);
  if (unit.path && record?.mainPid && serviceStatus(key).active === 'active') {
    const env = { ...unitEnvironment(unit), MAINPID: String(record.mainPid) };
    for (const line of settingList(unit, 'Service', 'ExecStop')) {
      const exec = parseExecLine(line, env, specifiers(unit));
      const [file, ...args] = exec.argv;
      spawnSync(file as string, args, { env, stdio: 'ignore', timeout: 90_000 });
    }
  }
  await stopService(key);
  for (const dependent of partOfDependents(unit.name)) await stopUnit(dependent, seen);
}

/**
 * Restarts a unit, and those PartOf= it that were active (systemd propagates a restart to them
 * as try-restart): all stop, then the unit starts (its Requires= first), then those dependents.
 */
export async function restartUnit(name: string): Promise<void> {
  const active = partOfDependents(loadUnit(name).name).filter((n) => serviceStatus(serviceKey(loadUnit(n))).active === 'active');
  await stopUnit(name).catch(() => undefined);
  await startUnit(name);
  for (const dependent of active) await startUnit(dependent);
}

/** Reloads a unit through ExecReload= (with $MAINPID); fails like systemctl when it has none. */
export async function reloadUnit(name: string): Promise<void> {
  const unit = requireUnit(name, 'reload');
  const key = serviceKey(unit);
  const reload = settingList(unit, 'Service', 'ExecReload');
  if (reload.length === 0) throw new SystemctlError(`Failed to reload ${unit.name}: Job type reload is not applicable for unit ${unit.name}.`, 1);
  const record = readServiceRecord(key);
  if (serviceStatus(key).active !== 'active' || !record) {
    throw new SystemctlError(`Failed to reload ${unit.name}: Unit ${unit.name} is not active.`, 1);
  }
  runControl(unit, 'ExecReload', { ...unitEnvironment(unit), MAINPID: String(record.mainPid ?? '') });
}
