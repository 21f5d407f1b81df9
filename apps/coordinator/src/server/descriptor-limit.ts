import { readFileSync } from 'node:fs';

/** File descriptors a coordinator needs besides one per attached agent (logs, state, sockets, Node itself). */
const BASE_DESCRIPTORS = 64;

/** The soft and hard limits on open files of this process (from /proc/self/limits), when known. */
export function openFilesLimit(limitsText?: string): { soft: number; hard: number } | undefined {
  let text = limitsText;
  if (text === undefined) {
    try {
      text = readFileSync('/proc/self/limits', 'utf8');
    } catch {
      return undefined;
    }
  }
  const match = /^Max open files\s+(\d+|unlimited)\s+(\d+|unlimited)/m.exec(text);
  if (!match) return undefined;
  const value = (field: string | undefined) => (field === 'unlimited' || field === undefined ? Number.POSITIVE_INFINITY : Number(field));
  return { soft: value(match[1]), hard: value(match[2]) };
}

/**
 * Advice when the open-files limit is too low for `hosts` agents attached at once (each
 * holds one TCP connection), or undefined when it suffices. Node itself raises the soft
 * limit to the hard limit when it starts (a shell's `ulimit -Sn 1024` under a hard limit of
 * 8000 gives the process 8000; docs/benchmarks.md, herd), so what is read here is in effect
 * the hard limit, which only the process's parent can raise: the advice names the ways.
 */
export function descriptorAdvice(hosts: number, limit = openFilesLimit()): string | undefined {
  if (!limit) return undefined;
  const needed = hosts + BASE_DESCRIPTORS;
  if (limit.soft >= needed) return undefined;
  return (
    `the open-files limit (${limit.soft}) is below the ${needed} descriptors ${hosts} attached agents need; ` +
    `raise it before starting kumi: \`ulimit -n ${Math.min(Math.max(needed, 4096), limit.hard)}\` in the shell` +
    `${limit.hard < needed ? ` (the hard limit ${limit.hard} must be raised too, by root)` : ''}, or LimitNOFILE= in a systemd unit`
  );
}
