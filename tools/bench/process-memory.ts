import { readFile } from 'node:fs/promises';

/** Resident memory of one process, MiB: total, anonymous (heap, stacks) and file-backed (the executable's pages). */
export interface Rss {
  total: number;
  anon: number;
  file: number;
}

/** Reads VmRSS, RssAnon and RssFile (+ RssShmem) of a running process from /proc. */
export async function readRss(pid: number): Promise<Rss> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const field = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1]) / 1024;
  return { total: field('VmRSS'), anon: field('RssAnon'), file: field('RssFile') + field('RssShmem') };
}

/** The median of a non-empty list. */
export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[middle] as number) : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}
