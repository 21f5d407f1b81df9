import type { Action, Plan } from '../../plan';
import { planOf } from '../../plan';
import type { ServiceState } from './services';
import { systemctl } from './services';

/** A file a step may have written: removed only when it still starts with the step's header. */
export interface OwnedFile {
  path: string;
  /** The file as it is, undefined when missing. */
  content: string | undefined;
  /** The first characters of every version of the file the step writes. */
  header: string;
}

/**
 * The plan that takes a service away (`ensure: absent`): stop it, keep it from starting
 * at boot, and remove the files kumi wrote for it. Files of the same name that kumi did
 * not write are left alone, and the noop reason says so.
 */
export function serviceRemovalPlan(unit: string, service: ServiceState, files: readonly OwnedFile[]): Plan {
  const actions: Action[] = [];
  if (service.active) actions.push(systemctl('stop', unit, `${unit} must no longer run (ensure: absent)`));
  if (service.enabled) actions.push(systemctl('disable', unit, `${unit} must not start at boot (ensure: absent)`));
  for (const file of files) {
    if (file.content?.startsWith(file.header)) actions.push({ kind: 'remove', path: file.path, why: `kumi wrote it for ${unit}` });
  }
  const foreign = files.filter((file) => file.content !== undefined && !file.content.startsWith(file.header)).map((file) => file.path);
  return planOf(actions, `${unit} is stopped and disabled and kumi's files for it are gone${foreign.length > 0 ? ` (left alone, not written by kumi: ${foreign.join(', ')})` : ''}`);
}
