import fs from 'node:fs';
import net from 'node:net';
import { type HostEnv, hostPath } from '../common/host-env';
import { KubeadmError } from './kubeadm-error';

/** One preflight finding, named as kubeadm names its checks. */
export interface PreflightError {
  readonly check: string;
  readonly message: string;
}

/** kubeadm's FileAvailable check: the file must not exist yet. */
export function fileAvailable(host: HostEnv, file: string): PreflightError | undefined {
  return fs.existsSync(hostPath(host, file)) ? { check: `FileAvailable-${file.replace(/\//g, '-')}`, message: `${file} already exists` } : undefined;
}

/** kubeadm's DirAvailable check: the directory must be absent or empty. */
export function dirAvailable(host: HostEnv, dir: string): PreflightError | undefined {
  const full = hostPath(host, dir);
  return fs.existsSync(full) && fs.readdirSync(full).length > 0 ? { check: `DirAvailable-${dir.replace(/\//g, '-')}`, message: `${dir} is not empty` } : undefined;
}

/** kubeadm's Port check: nothing may listen on address:port. */
export async function portOpen(address: string, port: number): Promise<PreflightError | undefined> {
  const free = await new Promise<boolean>((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen(port, address, () => server.close(() => resolve(true)));
  });
  return free ? undefined : { check: `Port-${port}`, message: `Port ${port} is in use` };
}

/** Fails like kubeadm when any check found a problem (ignored checks are dropped). */
export function reportPreflight(found: (PreflightError | undefined)[], ignored: ReadonlySet<string>): void {
  const errors = found.filter((e): e is PreflightError => e !== undefined && !ignored.has(e.check.toLowerCase()) && !ignored.has('all'));
  if (errors.length === 0) return;
  const lines = errors.map((e) => `\t[ERROR ${e.check}]: ${e.message}`).join('\n');
  throw new KubeadmError(`[preflight] Some fatal errors occurred:\n${lines}\n[preflight] If you know what you are doing, you can make a check non-fatal with \`--ignore-preflight-errors=...\``, 'preflight');
}
