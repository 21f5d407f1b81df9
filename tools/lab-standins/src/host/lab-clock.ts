import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { labDir } from './lab-dir';

function clockFile(): string {
  // Inside a host the lab dir comes from host.json; outside from KUMI_LAB_DIR or the default.
  try {
    const info = JSON.parse(readFileSync('/etc/kumi-lab/host.json', 'utf8')) as { labDir?: string };
    if (info.labDir) return path.join(info.labDir, 'clock');
  } catch {
    // not in a host
  }
  return path.join(labDir(), 'clock');
}

/** How far the lab clock runs ahead of the machine's, in ms (0 when never moved). */
export function labClockOffsetMs(): number {
  try {
    const value = Number(readFileSync(clockFile(), 'utf8').trim());
    return Number.isFinite(value) ? value : 0;
  } catch {
    return 0;
  }
}

/** The lab's "now": use it for every expiry a stand-in checks. */
export function labNow(): Date {
  return new Date(Date.now() + labClockOffsetMs());
}

/** Parses "+2h", "+90m", "+30s", "+1d", "2h" or "0" into ms. */
export function parseClockShift(text: string): number {
  const m = /^\+?(\d+)(ms|s|m|h|d)?$/.exec(text.trim());
  if (!m) throw new Error(`cannot read clock shift "${text}": use +2h, +90m, +30s, +1d, or 0 to reset`);
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[(m[2] ?? 's') as 'ms' | 's' | 'm' | 'h' | 'd'];
  return Number(m[1]) * unit;
}

/** Moves the lab clock forward by shiftMs (0 resets it); returns the new offset. */
export function shiftLabClock(shiftMs: number): number {
  const offset = shiftMs === 0 ? 0 : labClockOffsetMs() + shiftMs;
  writeFileSync(clockFile(), `${offset}\n`);
  return offset;
}
