// The coordinator side of the herd benchmark: a real `kumi serve` process (the bundled
// CLI) over a fresh state folder whose tokens are minted beforehand through the same
// store code `kumi token create` uses, and readings of its CPU and memory from /proc.
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { createHash, X509Certificate } from 'node:crypto';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { ClientCertIssuer, readClientCsr } from '@kumi/trust';
import { wallNow, watchExit } from './exit-watch';
import { initCluster } from '../../apps/coordinator/src/state/cluster-init';
import { statePaths } from '../../apps/coordinator/src/state/state-paths';
import { StateStore } from '../../apps/coordinator/src/state/state-store';

const REPO_ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));

/** Bundles the kumi CLI once (as the package ships it) and returns the file. */
export async function bundleKumi(outDir: string): Promise<string> {
  const out = join(outDir, 'kumi.cjs');
  await promisify(execFile)(process.execPath, [join(REPO_ROOT, 'tools/build/bundle.mjs'), join(REPO_ROOT, 'apps/coordinator/src/main.ts'), out, '--all'], { cwd: REPO_ROOT });
  return out;
}

/** A state folder with one host-bound token per host name. */
export async function prepareCluster(root: string, hostNames: string[]): Promise<{ dir: string; tokens: string[]; caPem: string }> {
  const dir = join(root, 'state');
  await initCluster({ name: 'herd', dir, addresses: ['127.0.0.1'], port: 7443, listenHost: '127.0.0.1' });
  const store = await StateStore.open(statePaths(dir), { command: 'herd benchmark set-up' });
  try {
    const tokens: string[] = [];
    // Sequential creates would wait one fsync each; all at once share a few.
    const created = await Promise.all(hostNames.map((host) => store.createToken({ ttlMs: 3_600_000, host })));
    for (const token of created) tokens.push(token.token);
    return { dir, tokens, caPem: await readFile(statePaths(dir).caCert, 'utf8') };
  } finally {
    await store.close();
  }
}

/**
 * A state folder whose hosts are already enrolled: each key's certificate is issued and
 * recorded in the set-up (as enrollment would), for measuring attached agents alone.
 */
export async function prepareEnrolledCluster(root: string, keys: Array<{ hostName: string; csrPem: string }>): Promise<{ dir: string; certs: string[]; caPem: string }> {
  const dir = join(root, 'state');
  await initCluster({ name: 'herd', dir, addresses: ['127.0.0.1'], port: 7443, listenHost: '127.0.0.1' });
  const paths = statePaths(dir);
  const ca = { certPem: await readFile(paths.caCert, 'utf8'), keyPem: await readFile(paths.caKey, 'utf8') };
  const issuer = new ClientCertIssuer(ca);
  const store = await StateStore.open(paths, { command: 'herd benchmark set-up' });
  try {
    const certs = keys.map((key) => issuer.issue(readClientCsr(key.csrPem, key.hostName)));
    await Promise.all(
      certs.map((certPem, i) => {
        const cert = new X509Certificate(certPem);
        return store.recordHost({
          hostName: (keys[i] as { hostName: string }).hostName,
          enrolledAt: new Date().toISOString(),
          certSha256: createHash('sha256').update(cert.raw).digest('hex'),
          tokenId: 'bench',
          certPem,
          notBefore: new Date(cert.validFrom).toISOString(),
          notAfter: new Date(cert.validTo).toISOString(),
        });
      }),
    );
    return { dir, certs, caPem: ca.certPem };
  } finally {
    await store.close();
  }
}

/** A running `kumi serve`. */
export interface ServeProcess {
  child: ChildProcess;
  port: number;
  controlSocket: string;
  /** Sends SIGTERM; resolves with the ms until the process exited (watched from a thread of its own). */
  stop(): Promise<number>;
}

/** Starts `kumi serve` on 127.0.0.1 (port 0) and waits until it listens. */
export async function startServe(kumi: string, dir: string): Promise<ServeProcess> {
  const child = spawn(process.execPath, [kumi, '--state-dir', dir, 'serve', '--listen', '127.0.0.1:0'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout?.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (out += chunk.toString()));
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  const deadline = Date.now() + 60_000;
  let port: number | undefined;
  while (port === undefined && child.exitCode === null && Date.now() < deadline) {
    port = Number(/listening on 127\.0\.0\.1:(\d+)/.exec(out)?.[1]) || undefined;
    if (port === undefined) await new Promise((done) => setTimeout(done, 20));
  }
  if (port === undefined) {
    child.kill('SIGKILL');
    throw new Error(`kumi serve did not start:\n${out}`);
  }
  return {
    child,
    port,
    controlSocket: statePaths(dir).controlSocket,
    async stop() {
      // The exit as a thread of our own sees it: see watchExit.
      const { exitedAt: exit } = await watchExit(child.pid as number, 10_000);
      const begin = wallNow();
      child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      const exitedAt = await exit;
      await exited;
      clearTimeout(killer);
      return exitedAt - begin;
    },
  };
}

/** CPU seconds (user + system) a process used so far, from /proc/PID/stat. */
export async function processCpuSeconds(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // utime and stime are fields 14 and 15 of the line (11 and 12 after the command name), in clock ticks (100/s on Linux).
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** Peak and current resident memory of a process, MiB (VmHWM, VmRSS). */
export async function processMemory(pid: number): Promise<{ rssMiB: number; peakMiB: number }> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const field = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1]) / 1024;
  return { rssMiB: field('VmRSS'), peakMiB: field('VmHWM') };
}

/** Open file descriptors of a process (entries of /proc/PID/fd) and its soft/hard limit (/proc/PID/limits). */
export async function processDescriptors(pid: number): Promise<{ open: number; soft: string; hard: string }> {
  const open = (await readdir(`/proc/${pid}/fd`)).length;
  const limits = /^Max open files\s+(\S+)\s+(\S+)/m.exec(await readFile(`/proc/${pid}/limits`, 'utf8'));
  return { open, soft: limits?.[1] ?? '?', hard: limits?.[2] ?? '?' };
}

/** A temp folder for one run, removed by the returned function. */
export async function runFolder(): Promise<{ root: string; remove(): Promise<void> }> {
  const root = await mkdtemp(join(tmpdir(), 'kumi-herd-'));
  return { root, remove: () => rm(root, { recursive: true, force: true }) };
}
