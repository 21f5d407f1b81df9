import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { criVersion } from './cri-client';

/** A real containerd (the machine's binary) with its own root, state and socket, for tests. */
export interface ScratchContainerd {
  dir: string;
  socket: string;
  configPath: string;
  /** Starts (or restarts) the daemon with the config file as it is now. */
  restart(): Promise<void>;
  stop(): Promise<void>;
  /** Stops the daemon and removes the folder. */
  remove(): Promise<void>;
}

/**
 * Writes `settings` (TOML lines, with their own `version` line or none, as the packages
 * ship them) around the scratch paths as dir/config.toml and starts containerd on it. Its
 * CRI plugin (when enabled) answers on dir/containerd.sock.
 */
export async function startScratchContainerd(settings: string): Promise<ScratchContainerd> {
  const dir = mkdtempSync('/var/tmp/kumi-containerd-');
  const socket = path.join(dir, 'containerd.sock');
  const configPath = path.join(dir, 'config.toml');
  writeFileSync(configPath, scratchConfig(dir, settings));
  let child: ChildProcess | undefined;
  const stop = async (): Promise<void> => {
    const running = child;
    child = undefined;
    if (running?.exitCode !== null || running.pid === undefined) return;
    const exited = new Promise((resolve) => running.once('exit', resolve));
    running.kill('SIGTERM');
    await exited;
  };
  const restart = async (): Promise<void> => {
    await stop();
    rmSync(socket, { force: true });
    const started = spawn('containerd', ['--config', configPath], { stdio: ['ignore', 'ignore', 'pipe'] });
    child = started;
    let stderr = '';
    started.stderr?.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString()).slice(-2000);
    });
    // Up to 10 s for the daemon's API socket (opened once every plugin has loaded).
    for (let tries = 0; tries < 100 && !existsSync(socket) && started.exitCode === null; tries += 1) await delay(100);
    if (!existsSync(socket)) {
      await stop();
      throw new Error(`containerd did not open its socket: ${stderr.trim().split('\n').slice(-2).join(' ')}`);
    }
  };
  try {
    await restart();
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  return {
    dir,
    socket,
    configPath,
    restart,
    stop,
    remove: async () => {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The scratch paths (root, state, sockets) followed by the caller's settings. */
export function scratchConfig(dir: string, settings: string): string {
  // Top-level keys must come before the first table header.
  const top = settings.split('\n').filter((line) => /^[A-Za-z_]+\s*=/.test(line));
  const rest = settings.split('\n').filter((line) => !top.includes(line));
  return [
    ...top,
    `root = "${dir}/root"`,
    `state = "${dir}/state"`,
    '[grpc]',
    `  address = "${dir}/containerd.sock"`,
    '[ttrpc]',
    `  address = "${dir}/containerd.sock.ttrpc"`,
    ...rest,
    '',
  ].join('\n');
}

/** Whether the CRI answers Version on the socket now (no retry). */
export async function criAnswers(socket: string): Promise<boolean> {
  try {
    await criVersion(socket);
    return true;
  } catch {
    return false;
  }
}
