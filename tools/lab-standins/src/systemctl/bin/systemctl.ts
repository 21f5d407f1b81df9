// Stand-in for systemctl inside a lab host: runs the host's real unit files in the background.
import { serviceStatus } from '../../host/services';
import { reloadUnit, restartUnit, serviceKey, startUnit, stopUnit, SystemctlError } from '../unit-control';
import { disableUnit, enabledUnits, enableUnit, enablementState, maskUnit, unmaskUnit } from '../unit-enablement';
import { loadUnit, setting } from '../unit-file';

const BOOLEAN_FLAGS = new Set(['--now', '--quiet', '-q', '--no-pager', '--no-block', '--system', '--full', '-l', '--no-legend', '--value', '--lab-boot', '--force', '-f']);

async function main(argv: string[]): Promise<number> {
  const flags = new Set(argv.filter((a) => BOOLEAN_FLAGS.has(a)));
  const props: string[] = [];
  const rest: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string;
    if (a === '-p' || a === '--property') props.push(...(argv[++i] ?? '').split(','));
    else if (a.startsWith('--property=')) props.push(...a.slice('--property='.length).split(','));
    else if (!BOOLEAN_FLAGS.has(a)) rest.push(a);
  }
  if (flags.has('--lab-boot')) return boot();
  const [verb, ...units] = rest;
  const quiet = flags.has('--quiet') || flags.has('-q');
  const out = (line: string) => {
    if (!quiet) console.log(line);
  };
  const info = (line: string) => {
    if (!quiet) console.error(line);
  };
  const needUnits = () => {
    if (units.length === 0) throw new SystemctlError(`Too few arguments.`, 1);
  };
  switch (verb) {
    case 'start':
      needUnits();
      for (const u of units) await startUnit(u);
      return 0;
    case 'stop':
      needUnits();
      for (const u of units) await stopUnit(u);
      return 0;
    case 'restart':
      needUnits();
      for (const u of units) await restartUnit(u);
      return 0;
    case 'try-restart':
      needUnits();
      for (const u of units) {
        if (serviceStatus(serviceKey(loadUnit(u))).active !== 'active') continue;
        await restartUnit(u);
      }
      return 0;
    case 'reload':
      needUnits();
      for (const u of units) await reloadUnit(u);
      return 0;
    case 'reload-or-restart':
      needUnits();
      for (const u of units) {
        const active = serviceStatus(serviceKey(loadUnit(u))).active === 'active';
        if (active && loadUnit(u).settings.Service?.ExecReload?.length) await reloadUnit(u);
        else await restartUnit(u);
      }
      return 0;
    case 'enable':
    case 'disable': {
      needUnits();
      for (const u of units) for (const line of verb === 'enable' ? enableUnit(u) : disableUnit(u)) info(line);
      if (flags.has('--now')) for (const u of units) await (verb === 'enable' ? startUnit(u) : stopUnit(u).catch(() => undefined));
      return 0;
    }
    case 'mask':
    case 'unmask':
      needUnits();
      for (const u of units) for (const line of verb === 'mask' ? maskUnit(u) : unmaskUnit(u)) info(line);
      if (verb === 'mask' && flags.has('--now')) for (const u of units) await stopUnit(u).catch(() => undefined);
      return 0;
    case 'is-active':
    case 'is-failed': {
      needUnits();
      let any = false;
      for (const u of units) {
        const active = serviceStatus(serviceKey(loadUnit(u))).active;
        out(active);
        if (verb === 'is-active' ? active === 'active' : active === 'failed') any = true;
      }
      return any ? 0 : verb === 'is-active' ? 3 : 1;
    }
    case 'is-enabled': {
      needUnits();
      let code = 1;
      for (const u of units) {
        const state = enablementState(u);
        if (state === 'not-found') {
          console.error(`Failed to get unit file state for ${loadUnit(u).name}: No such file or directory`);
          continue;
        }
        out(state);
        if (state === 'enabled' || state === 'static') code = 0;
      }
      return code;
    }
    case 'daemon-reload':
    case 'daemon-reexec':
    case 'reset-failed':
      // Unit files are read afresh at every call, so a reload has nothing to do.
      return 0;
    case 'status':
      needUnits();
      return status(units, out);
    case 'show':
      needUnits();
      return show(units, props, flags.has('--value'));
    case 'list-units':
      for (const key of enabledUnits()) out(key);
      return 0;
    default:
      throw new SystemctlError(verb ? `Unknown command verb '${verb}'.` : 'systemctl (kumi lab stand-in): give a command verb, e.g. start, stop, enable, is-active', 1);
  }
}

function status(units: string[], out: (line: string) => void): number {
  let code = 0;
  for (const u of units) {
    const unit = loadUnit(u);
    if (!unit.path && !unit.masked) {
      console.error(`Unit ${unit.name} could not be found.`);
      code = 4;
      continue;
    }
    const { active, record } = serviceStatus(serviceKey(unit));
    const sub = active === 'active' ? (record?.state === 'exited' ? 'exited' : 'running') : active === 'failed' ? 'failed' : 'dead';
    const since = record?.startedAt ? ` since ${new Date(record.startedAt).toUTCString()}` : '';
    out(`${active === 'active' ? '●' : '○'} ${unit.name} - ${setting(unit, 'Unit', 'Description') ?? unit.name}`);
    out(`     Loaded: ${unit.masked ? 'masked (Reason: Unit is masked.)' : `loaded (${unit.path}; ${enablementState(u)}; preset: enabled)`}`);
    if (unit.dropIns.length > 0) out(`    Drop-In: ${unit.dropIns.join(', ')}`);
    out(`     Active: ${active} (${sub})${since}`);
    if (record?.mainPid && active === 'active') out(`   Main PID: ${record.mainPid} (${record.argv[0]?.split('/').pop()})`);
    if (active !== 'active') code = 3;
  }
  return code;
}

function show(units: string[], props: string[], valueOnly: boolean): number {
  for (const u of units) {
    const unit = loadUnit(u);
    const { active, record } = serviceStatus(serviceKey(unit));
    const all: Record<string, string> = {
      Id: unit.name,
      LoadState: unit.masked ? 'masked' : unit.path ? 'loaded' : 'not-found',
      ActiveState: active,
      SubState: active === 'active' ? (record?.state === 'exited' ? 'exited' : 'running') : active === 'failed' ? 'failed' : 'dead',
      MainPID: String(active === 'active' ? (record?.mainPid ?? 0) : 0),
      UnitFileState: enablementState(u) === 'not-found' ? '' : enablementState(u),
      FragmentPath: unit.path ?? '',
      NRestarts: String(record?.restarts ?? 0),
      ExecMainStatus: String(record?.exitCode ?? 0),
    };
    const keys = props.length > 0 ? props : Object.keys(all);
    for (const k of keys) console.log(valueOnly ? (all[k] ?? '') : `${k}=${all[k] ?? ''}`);
  }
  return 0;
}

/** At a host's boot: start every enabled unit, like systemd reaching multi-user.target. */
async function boot(): Promise<number> {
  let code = 0;
  for (const unit of enabledUnits()) {
    try {
      await startUnit(unit);
      console.log(`boot: started ${unit}`);
    } catch (err) {
      console.error(`boot: ${unit}: ${(err as Error).message}`);
      code = 1;
    }
  }
  return code;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    if (err instanceof SystemctlError) {
      console.error(err.message);
      process.exitCode = err.exitCode;
    } else {
      console.error(`systemctl: ${(err as Error).message}`);
      process.exitCode = 1;
    }
  },
);
