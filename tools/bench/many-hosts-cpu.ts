import { readFile } from 'node:fs/promises';

/** Clock ticks per second of /proc/PID/stat times (USER_HZ: 100 on Linux). */
const TICKS_PER_SECOND = 100;

/**
 * CPU time of a process, ms: its own user and system time plus that of its children it has
 * waited for (the commands an agent starts, such as `nft`). 0 once the process is gone.
 */
export async function processCpuMs(pid: number | 'self'): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
  if (stat === '') return 0;
  // Fields after the command name (which may hold spaces), from field 3 on.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const [utime, stime, cutime, cstime] = [11, 12, 13, 14].map((index) => Number(fields[index]));
  return ((utime! + stime! + cutime! + cstime!) * 1000) / TICKS_PER_SECOND;
}

/** CPU of the children this process has waited for, ms (the kumi commands it ran). */
export async function waitedChildrenCpuMs(): Promise<number> {
  const stat = await readFile('/proc/self/stat', 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[13]) + Number(fields[14])) * 1000) / TICKS_PER_SECOND;
}

/** Sum of processCpuMs over `pids`. */
export async function groupCpuMs(pids: readonly number[]): Promise<number> {
  return (await Promise.all(pids.map((pid) => processCpuMs(pid)))).reduce((sum, ms) => sum + ms, 0);
}

/** Peak resident memory of a process (VmHWM), MiB. */
export async function peakRssMiB(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => '');
  return Number(/^VmHWM:\s+(\d+) kB/m.exec(status)?.[1] ?? 0) / 1024;
}
