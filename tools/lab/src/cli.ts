#!/usr/bin/env node
// kumi-lab: the one-machine lab (see tools/lab/LAB-LAYOUT.md).
import { spawnSync } from 'node:child_process';
import { Command } from 'commander';
import { bootHost, killHost, runningSwitch, setPartitioned } from './host-lifecycle';
import { labClockOffsetMs, labNow, parseClockShift, shiftLabClock } from '@kumi/lab-standins/host/lab-clock';
import { COORDINATOR, coordinatorArgv, HOST_BASE_ENV, nsenterArgv, runningHost } from './in-host';
import { labDown } from './lab-down';
import { readLabState } from './lab-state';
import { labStatus } from './lab-status';
import { labUp } from './lab-up';
import { requireRoot } from './require-root';
import { loadTopology } from './topology';

const say = (line: string) => console.log(`kumi-lab: ${line}`);

function knownHost(name: string) {
  const state = readLabState();
  if (!state) throw new Error('no lab is up: run `kumi-lab up` first');
  const host = state.topology.hosts.find((h) => h.name === name);
  if (!host) throw new Error(`no host ${name} in the lab (hosts: ${state.topology.hosts.map((h) => h.name).join(', ')})`);
  return { state, host };
}

const program = new Command('kumi-lab')
  .description('The kumi lab: the seed topology in network namespaces on one machine (root only)')
  .showHelpAfterError()
  .enablePositionalOptions();

program
  .command('up')
  .description('create the lab network (its own namespace) and boot every host of the topology')
  .option('--topology <seed|debian-seed|bare-seed|FILE>', 'the seed topology (its OSes and firewalls), debian-seed (its firewalls on Debian hosts), bare-seed (Debian, no firewall) or a YAML file { vip?, hosts: [{name, role, address?, os?, firewall?}] }', 'seed')
  .option('--keep-going', 'keep the hosts that booted when one fails')
  .option('--agent <command>', 'start this command (space-separated argv) as service kumi-agent in every host')
  .action(async (opts: { topology: string; keepGoing?: boolean; agent?: string }) => {
    requireRoot('up');
    const topology = loadTopology(opts.topology);
    const agentArgv = opts.agent?.trim().split(/\s+/);
    const result = await labUp({ topology, keepGoing: opts.keepGoing, log: say, agent: agentArgv ? () => ({ argv: agentArgv }) : undefined });
    for (const f of result.failures) say(`host ${f.host} failed: ${f.error}`);
    say(`up in ${result.ms} ms; VIP ${topology.vip}; coordinator address 192.0.2.1`);
    if (result.failures.length > 0) process.exitCode = 1;
  });

program
  .command('down')
  .description('remove every namespace, link, process and file the lab made (also after a crash)')
  .action(async () => {
    const result = await labDown({ log: say });
    say(`down in ${result.ms} ms`);
  });

program
  .command('status')
  .description('list hosts, their PID 1, addresses and state')
  .action(async () => {
    const status = await labStatus();
    if (!status) {
      say('no lab is up');
      return;
    }
    console.log(`lab ${status.phase}, VIP ${status.vip}, coordinator 192.0.2.1 (kumi-lab exec coordinator -- CMD)`);
    console.log(['HOST', 'ROLE', 'ADDRESS', 'PID', 'STATE', 'SERVICES'].map((c) => c.padEnd(12)).join('').trimEnd());
    for (const h of status.hosts) {
      console.log([h.name, h.role, h.address, String(h.anchorPid), h.state, h.services.join(' ')].map((c) => c.padEnd(12)).join('').trimEnd());
    }
  });

program
  .command('kill <host>')
  .description('power a host off hard: every process killed, its link gone (shutdown -h now)')
  .action(async (name: string) => {
    requireRoot('kill');
    const { state } = knownHost(name);
    const record = state.hosts[name];
    if (record) await killHost(record);
    say(`${name} is down`);
  });

program
  .command('boot <host>')
  .description('boot a killed host again (its disks kept, /run fresh, enabled units started)')
  .action(async (name: string) => {
    requireRoot('boot');
    const { state, host } = knownHost(name);
    const record = state.hosts[name];
    if (record) await killHost(record);
    const booted = await bootHost(host, state.topology, runningSwitch().pid);
    say(`${name} booted (pid ${booted.anchorPid})`);
  });

program
  .command('partition <host>')
  .description("cut a host's link to the bridge")
  .action(async (name: string) => {
    requireRoot('partition');
    runningHost(knownHost(name).host.name);
    await setPartitioned(name, true);
    say(`${name} partitioned`);
  });

program
  .command('heal <host>')
  .description("restore a host's link to the bridge")
  .action(async (name: string) => {
    requireRoot('heal');
    runningHost(knownHost(name).host.name);
    await setPartitioned(name, false);
    say(`${name} healed`);
  });

program
  .command('clock [shift]')
  .description('show the lab clock, or move it forward: +2h, +90m, +30s, +1d; 0 resets')
  .action((shift?: string) => {
    if (shift !== undefined) shiftLabClock(parseClockShift(shift));
    say(`lab time ${labNow().toISOString()} (offset ${Math.round(labClockOffsetMs() / 1000)} s)`);
  });

program
  .command('exec <host> <command...>')
  .passThroughOptions()
  .description('run a command inside a host (kumi-lab exec master1 -- ip addr), or on the coordinator side at 192.0.2.1 (kumi-lab exec coordinator -- curl http://192.0.2.100:8404/)')
  .action((name: string, rawCommand: string[]) => {
    requireRoot('exec');
    const command = rawCommand[0] === '--' ? rawCommand.slice(1) : rawCommand;
    if (command.length === 0) throw new Error('exec: give a command, e.g. kumi-lab exec master1 -- ip addr');
    const coordinator = name === COORDINATOR;
    const [file, ...args] = coordinator ? coordinatorArgv(command) : nsenterArgv(runningHost(name).anchorPid, command);
    const env = coordinator ? process.env : { ...HOST_BASE_ENV, TERM: process.env.TERM ?? 'dumb' };
    const result = spawnSync(file as string, args, { stdio: 'inherit', env });
    process.exitCode = result.status ?? 1;
  });

program.parseAsync(process.argv).catch((err: unknown) => {
  console.error(`kumi-lab: ${(err as Error).message}`);
  process.exitCode = 1;
});
