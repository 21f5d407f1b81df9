import { existsSync, readdirSync } from 'node:fs';
import { loadUnit, settingList, UNIT_DIRS, unitName } from './unit-file';

/**
 * The units whose PartOf= names `name`. systemd.unit(5), PartOf=: "When systemd stops or
 * restarts the units listed here, the action is propagated to this unit. Note that this is a
 * one-way dependency — changes to this unit do not affect the listed units." (systemd
 * src/core/unit-dependency-atom.c: UNIT_ATOM_PROPAGATE_STOP and _RESTART). E.g. cri-docker.socket
 * has PartOf=cri-docker.service, so stopping the service stops the socket too. Only the lab's
 * .service and .socket units are scanned.
 */
export function partOfDependents(name: string, dirs: string[] = UNIT_DIRS): string[] {
  const target = unitName(name);
  const names = new Set<string>();
  for (const dir of dirs) {
    if (!existsSync(dir)) continue;
    for (const file of readdirSync(dir)) if (/\.(service|socket)$/.test(file)) names.add(file);
  }
  names.delete(target);
  return [...names].sort().filter((n) => {
    const unit = loadUnit(n, dirs);
    return unit.path !== undefined && !unit.masked && settingList(unit, 'Unit', 'PartOf').flatMap((v) => v.split(/\s+/)).map(unitName).includes(target);
  });
}
