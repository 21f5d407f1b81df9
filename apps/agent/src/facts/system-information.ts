// Every program that compiles this file (the agent's, the lab's) must see these module
// declarations; a reference carries them along, an include list would not.
// eslint-disable-next-line @typescript-eslint/triple-slash-reference
/// <reference path="./systeminformation-lib.d.ts" />
import os from 'node:os';
// The readers' own files, not the package index: the index loads every systeminformation
// module, and the idle agent would carry them all (see systeminformation-lib.d.ts).
import { mem } from 'systeminformation/lib/memory';
import { uuid } from 'systeminformation/lib/osinfo';

/** Memory and swap totals, in bytes. */
export interface MemoryTotals {
  totalBytes: number;
  swapTotalBytes: number;
  swapUsedBytes: number;
}

/**
 * Longest one systeminformation call may take. Its Linux readers spawn `cat` and read
 * /proc; a hung child must not hold the agent's hello back.
 */
const SYSTEMINFORMATION_TIMEOUT_MS = 2_000;

/**
 * Memory and swap totals from systeminformation's mem() (MemTotal, SwapTotal, SwapFree of
 * /proc/meminfo). Without /proc/meminfo, or when the call fails or hangs, Node's total
 * memory and no swap: the same fallback mem() itself uses.
 */
export async function readMemoryTotals(timeoutMs = SYSTEMINFORMATION_TIMEOUT_MS): Promise<MemoryTotals> {
  const data = await settleWithin(mem(), timeoutMs);
  if (!data) return { totalBytes: os.totalmem(), swapTotalBytes: 0, swapUsedBytes: 0 };
  return { totalBytes: data.total, swapTotalBytes: data.swaptotal, swapUsedBytes: Math.max(0, data.swapused) };
}

/**
 * The hardware UUID from systeminformation's uuid(): the SMBIOS product_uuid (readable by
 * root only), or the CPU serial on boards without DMI; "" when neither is known.
 */
export async function readHardwareUuid(timeoutMs = SYSTEMINFORMATION_TIMEOUT_MS): Promise<string> {
  const data = await settleWithin(uuid(), timeoutMs);
  return (data?.hardware ?? '').trim().toLowerCase();
}

/** `work`'s value, or undefined when it rejects or has not settled within `timeoutMs`. */
export async function settleWithin<T>(work: Promise<T>, timeoutMs: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<undefined>((resolve) => {
    timer = setTimeout(resolve, timeoutMs, undefined);
  });
  try {
    return await Promise.race([work.catch(() => undefined), timedOut]);
  } finally {
    clearTimeout(timer);
  }
}
