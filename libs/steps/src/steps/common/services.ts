import type { RunAction } from '../../plan';
import type { PackageFamily } from './packages';
import type { HostReader } from '../../step';

/** Whether a systemd unit runs now and starts at boot. */
export interface ServiceState {
  active: boolean;
  enabled: boolean;
}

/** Reads a unit's state with `systemctl is-active` / `is-enabled`. */
export async function serviceState(host: HostReader, unit: string): Promise<ServiceState> {
  const active = await host.probe(['systemctl', 'is-active', unit]);
  const enabled = await host.probe(['systemctl', 'is-enabled', unit]);
  return {
    active: active.exitCode === 0 && active.stdout.trim() === 'active',
    enabled: enabled.exitCode === 0 && ['enabled', 'enabled-runtime', 'static', 'alias'].includes(enabled.stdout.trim()),
  };
}

/** `systemctl enable --now UNIT`. */
export function enableNow(unit: string, why: string): RunAction {
  return { kind: 'run', argv: ['systemctl', 'enable', '--now', unit], why };
}

/** `systemctl ACTION UNIT`. */
export function systemctl(action: 'start' | 'stop' | 'restart' | 'reload' | 'enable' | 'disable' | 'daemon-reload', unit: string | undefined, why: string): RunAction {
  return { kind: 'run', argv: unit === undefined ? ['systemctl', action] : ['systemctl', action, unit], why };
}

/**
 * Actions that leave a unit enabled and running, restarting (or reloading) it when its
 * configuration changed.
 */
export function keepRunning(
  unit: string,
  state: ServiceState,
  changed: boolean,
  how: 'restart' | 'reload',
): RunAction[] {
  const actions: RunAction[] = [];
  if (!state.enabled) actions.push(systemctl('enable', unit, `start ${unit} at boot`));
  if (!state.active) actions.push(systemctl('start', unit, `${unit} is not running`));
  else if (changed) actions.push(systemctl(how, unit, `${unit} must pick up its new configuration`));
  return actions;
}

/**
 * A unit's state right after its package is installed, from the state read before:
 * Debian/Ubuntu packages enable and start their units in postinst (Debian/debhelper
 * autoscripts/postinst-systemd-enable and postinst-systemd-start: `deb-systemd-invoke
 * start`, debhelper 13.11, as in bookworm's containerd.postinst), so the daemon already
 * runs on the package's own configuration; RHEL-family packages only apply the systemd
 * preset (%systemd_post), and the release package's 99-default-disable.preset (`disable *`)
 * leaves the unit neither enabled nor running.
 */
export function stateAfterInstall(family: PackageFamily, installing: boolean, before: ServiceState): ServiceState {
  if (!installing) return before;
  return family === 'apt' ? { active: true, enabled: true } : before;
}
