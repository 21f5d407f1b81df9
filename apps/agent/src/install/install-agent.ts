import { createHash, randomBytes } from 'node:crypto';
import { chmod, copyFile, mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { AGENT_BINARY_PATH, AGENT_UNIT_PATH, renderAgentUnit } from './agent-unit';

/** What `installAgent` needs to know. */
export interface InstallAgentOptions {
  /** "/" on a real host; another folder in tests (then systemctl is not run). */
  root: string;
  /** The single-file agent to copy to /usr/local/bin/kumi-agent. */
  sourceBinary: string;
  /** Written into the unit's header comment. */
  agentVersion: string;
  /** Runs `systemctl daemon-reload`; only called on a real host and only after a change. */
  daemonReload: () => Promise<void>;
}

/** One thing install did or found already done. */
export interface InstallAction {
  path: string;
  changed: boolean;
  /** Human summary, e.g. "wrote /etc/systemd/system/kumi-agent.service". */
  summary: string;
}

/** The outcome of an install. */
export interface InstallReport {
  actions: InstallAction[];
  /** True when anything on disk changed. */
  changed: boolean;
  /** Whether systemd was told to reload its units ("skipped" under a test root). */
  daemonReload: 'ran' | 'not needed' | 'skipped';
}

/**
 * Puts the agent executable at /usr/local/bin/kumi-agent and its systemd unit at
 * /etc/systemd/system/kumi-agent.service, then reloads systemd. Idempotent: files that
 * already hold the right content are left alone, and when nothing changed systemd is
 * not reloaded.
 */
export async function installAgent(options: InstallAgentOptions): Promise<InstallReport> {
  const onRealHost = options.root === '/';
  const binary = await installBinary(options.sourceBinary, join(options.root, AGENT_BINARY_PATH));
  const unit = await installFile(join(options.root, AGENT_UNIT_PATH), renderAgentUnit(options.agentVersion), 0o644);
  const actions: InstallAction[] = [
    { path: AGENT_BINARY_PATH, changed: binary, summary: binary ? `copied the agent to ${AGENT_BINARY_PATH}` : `${AGENT_BINARY_PATH} is already this agent` },
    { path: AGENT_UNIT_PATH, changed: unit, summary: unit ? `wrote ${AGENT_UNIT_PATH}` : `${AGENT_UNIT_PATH} is up to date` },
  ];
  const changed = binary || unit;
  let daemonReload: InstallReport['daemonReload'] = 'not needed';
  if (changed && !onRealHost) daemonReload = 'skipped';
  if (changed && onRealHost) {
    await options.daemonReload();
    daemonReload = 'ran';
  }
  return { actions, changed, daemonReload };
}

/** Copies source to target unless target already has the same bytes; returns whether it copied. */
async function installBinary(source: string, target: string): Promise<boolean> {
  const wanted = await fileDigest(source);
  if (wanted === undefined) throw new Error(`cannot read the agent executable ${source}`);
  if ((await fileDigest(target)) === wanted) return false;
  // Copy beside the target and rename over it: the old file may be running right now
  // (writing into a running executable fails with ETXTBSY), and readers never see half.
  await mkdir(dirname(target), { recursive: true, mode: 0o755 });
  const temp = `${target}.${randomBytes(6).toString('hex')}.new`;
  try {
    await copyFile(source, temp);
    await chmod(temp, 0o755);
    await rename(temp, target);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
  return true;
}

/** Writes content to path unless it is already there with that mode; returns whether it wrote. */
async function installFile(path: string, content: string, mode: number): Promise<boolean> {
  const current = await readFile(path, 'utf8').catch(() => undefined);
  if (current === content) {
    if (((await stat(path)).mode & 0o7777) === mode) return false;
    await chmod(path, mode);
    return true;
  }
  await mkdir(dirname(path), { recursive: true, mode: 0o755 });
  const temp = `${path}.${randomBytes(6).toString('hex')}.new`;
  try {
    await writeFile(temp, content, { mode });
    await chmod(temp, mode);
    await rename(temp, path);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
  return true;
}

async function fileDigest(path: string): Promise<string | undefined> {
  try {
    return createHash('sha256').update(await readFile(path)).digest('hex');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}
