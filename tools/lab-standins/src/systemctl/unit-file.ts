import { existsSync, readdirSync, readFileSync, readlinkSync, lstatSync } from 'node:fs';
import path from 'node:path';

/** Unit search path, highest precedence first (as systemd's system manager). */
export const UNIT_DIRS = ['/etc/systemd/system', '/run/systemd/system', '/usr/local/lib/systemd/system', '/usr/lib/systemd/system', '/lib/systemd/system'];

/** A unit's settings: section → key → values in order (an empty value resets the list). */
export type UnitSettings = Record<string, Record<string, string[]>>;

/** A loaded unit. */
export interface Unit {
  name: string;
  /** The fragment file, undefined when not found. */
  path?: string;
  masked: boolean;
  settings: UnitSettings;
  dropIns: string[];
}

/** Adds ".service" when the name has no unit suffix. */
export function unitName(name: string): string {
  return /\.(service|socket|target|timer|mount|path|slice|scope)$/.test(name) ? name : `${name}.service`;
}

/** Parses one unit file's text into settings, applying resets and backslash continuations. */
export function parseUnitText(text: string, into: UnitSettings = {}): UnitSettings {
  let section = '';
  const joined = text.replace(/\\\r?\n/g, ' ');
  for (const raw of joined.split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#') || line.startsWith(';')) continue;
    const header = /^\[(.+)\]$/.exec(line);
    if (header) {
      section = header[1] as string;
      into[section] ??= {};
      continue;
    }
    const eq = line.indexOf('=');
    if (eq < 0 || !section) continue;
    const key = line.slice(0, eq).trim();
    const value = line.slice(eq + 1).trim();
    const values = (into[section] as Record<string, string[]>)[key] ?? [];
    (into[section] as Record<string, string[]>)[key] = value === '' ? [] : [...values, value];
  }
  return into;
}

/** Loads a unit with its drop-ins from the search path; masked when its /etc or /run file links to /dev/null. */
export function loadUnit(name: string, dirs: string[] = UNIT_DIRS): Unit {
  const full = unitName(name);
  let fragment: string | undefined;
  let masked = false;
  for (const dir of dirs) {
    const file = path.join(dir, full);
    if (!isPresent(file)) continue;
    if (isMaskLink(file)) {
      masked = true;
      break;
    }
    if (existsSync(file)) {
      fragment = file;
      break;
    }
  }
  const settings: UnitSettings = {};
  if (fragment && !masked) parseUnitText(readFileSync(fragment, 'utf8'), settings);
  const dropIns = masked ? [] : dropInFiles(full, dirs);
  for (const file of dropIns) parseUnitText(readFileSync(file, 'utf8'), settings);
  return { name: full, path: fragment, masked, settings, dropIns };
}

function isPresent(file: string): boolean {
  try {
    lstatSync(file);
    return true;
  } catch {
    return false;
  }
}

/** True when the file is a symlink to /dev/null (systemd's mask). */
export function isMaskLink(file: string): boolean {
  try {
    return lstatSync(file).isSymbolicLink() && readlinkSync(file) === '/dev/null';
  } catch {
    return false;
  }
}

function dropInFiles(full: string, dirs: string[]): string[] {
  // Same file name in a higher-precedence dir wins; all are applied in file-name order.
  const byName = new Map<string, string>();
  for (const dir of [...dirs].reverse()) {
    const d = path.join(dir, `${full}.d`);
    if (!existsSync(d)) continue;
    for (const f of readdirSync(d)) if (f.endsWith('.conf')) byName.set(f, path.join(d, f));
  }
  return [...byName.keys()].sort().map((k) => byName.get(k) as string);
}

/** Last value of a key (systemd semantics for single-valued settings). */
export function setting(unit: Unit, section: string, key: string): string | undefined {
  const values = unit.settings[section]?.[key];
  return values && values.length > 0 ? values[values.length - 1] : undefined;
}

/** Every value of a list-valued key. */
export function settingList(unit: Unit, section: string, key: string): string[] {
  return unit.settings[section]?.[key] ?? [];
}
