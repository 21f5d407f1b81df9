import { existsSync, lstatSync, mkdirSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import { requireUnit, SystemctlError } from './unit-control';
import { loadUnit, settingList, type Unit } from './unit-file';

/** Where enable/mask symlinks live (the host's own dir, see LAB-LAYOUT.md). */
const ETC_UNITS = '/etc/systemd/system';

/** enabled, disabled, static, masked (systemctl is-enabled). */
export function enablementState(name: string): 'enabled' | 'disabled' | 'static' | 'masked' | 'not-found' {
  const unit = loadUnit(name);
  if (unit.masked) return 'masked';
  if (!unit.path) return 'not-found';
  const wanted = wantedBy(unit);
  if (wanted.length === 0) return 'static';
  return wanted.some((t) => existsSync(path.join(ETC_UNITS, `${t}.wants`, unit.name))) ? 'enabled' : 'disabled';
}

function wantedBy(unit: Unit): string[] {
  return [...settingList(unit, 'Install', 'WantedBy'), ...settingList(unit, 'Install', 'RequiredBy')].flatMap((v) => v.split(/\s+/)).filter(Boolean);
}

/** Creates the [Install] symlinks; returns systemctl's "Created symlink" lines. */
export function enableUnit(name: string): string[] {
  const unit = requireUnit(name, 'enable');
  const lines: string[] = [];
  const targets = wantedBy(unit);
  if (targets.length === 0) {
    lines.push(
      `The unit files have no installation config (WantedBy=, RequiredBy=, Also=,\nAlias= settings in the [Install] section, and DefaultInstance= for template\nunits). This means they are not meant to be enabled or disabled using systemctl.`,
    );
  }
  for (const target of targets) {
    const link = path.join(ETC_UNITS, `${target}.wants`, unit.name);
    if (isLink(link)) continue;
    mkdirSync(path.dirname(link), { recursive: true });
    symlinkSync(unit.path as string, link);
    lines.push(`Created symlink ${link} → ${unit.path}.`);
  }
  return lines;
}

/** Removes the [Install] symlinks; returns systemctl's "Removed" lines. */
export function disableUnit(name: string): string[] {
  const full = loadUnit(name).name;
  const lines: string[] = [];
  if (!existsSync(ETC_UNITS)) return lines;
  for (const dir of readdirSync(ETC_UNITS).filter((d) => d.endsWith('.wants') || d.endsWith('.requires'))) {
    const link = path.join(ETC_UNITS, dir, full);
    if (!isLink(link)) continue;
    rmSync(link);
    lines.push(`Removed "${link}".`);
  }
  return lines;
}

/** Links /etc/systemd/system/UNIT to /dev/null. */
export function maskUnit(name: string): string[] {
  const link = path.join(ETC_UNITS, loadUnit(name).name);
  if (isLink(link) && loadUnit(name).masked) return [];
  if (existsSync(link) && !isLink(link)) throw new SystemctlError(`Failed to mask unit: File ${link} already exists.`, 1);
  mkdirSync(ETC_UNITS, { recursive: true });
  rmSync(link, { force: true });
  symlinkSync('/dev/null', link);
  return [`Created symlink ${link} → /dev/null.`];
}

/** Removes a mask. */
export function unmaskUnit(name: string): string[] {
  const link = path.join(ETC_UNITS, loadUnit(name).name);
  if (!loadUnit(name).masked || !isLink(link)) return [];
  rmSync(link);
  return [`Removed "${link}".`];
}

function isLink(file: string): boolean {
  try {
    return lstatSync(file).isSymbolicLink();
  } catch {
    return false;
  }
}

/** Units linked from any *.wants dir in /etc/systemd/system (what boot starts). */
export function enabledUnits(): string[] {
  if (!existsSync(ETC_UNITS)) return [];
  const units = new Set<string>();
  for (const dir of readdirSync(ETC_UNITS).filter((d) => d.endsWith('.target.wants'))) {
    for (const f of readdirSync(path.join(ETC_UNITS, dir))) if (f.endsWith('.service')) units.add(f);
  }
  return [...units].sort();
}
