import { readFile } from 'node:fs/promises';
import os from 'node:os';

/** One line describing the machine a benchmark ran on: CPU, memory, distribution, kernel, Node, load. */
export async function machine(): Promise<string> {
  const release = await readFile('/etc/os-release', 'utf8').catch(() => '');
  const distro = /^PRETTY_NAME="?([^"\n]*)"?/m.exec(release)?.[1] ?? os.type();
  const cpus = os.cpus();
  const load = os.loadavg().map((value) => value.toFixed(1)).join(' ');
  return `${cpus[0]?.model.trim() ?? 'unknown CPU'} × ${cpus.length} (${os.arch()}), ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB RAM, ${distro}, Linux ${os.release()}, build Node ${process.version}; load average at the end ${load}`;
}
