import { BRIDGE, BRIDGE_ADDRESS, GUARD_TABLE, LAB_PREFIX_LEN, VETH_PREFIX } from './lab-paths';
import { run, tryRun } from './run-command';

/*
 * The lab network lives entirely inside the *switch* network namespace: the bridge, the
 * host-side veths and the coordinator's address 192.0.2.1. The machine's own namespace gets
 * no link, address or route, so the lab can never clash with (or leak into) the machine's
 * network, even when the machine itself sits on 192.0.2.0/24.
 */

/** argv that runs a command in the switch namespace (machine's file system, lab network). */
export function inSwitchArgv(switchPid: number, argv: string[]): string[] {
  return ['nsenter', '-t', String(switchPid), '-n', '--', ...argv];
}

/** Creates the private bridge with the coordinator's address inside the switch namespace. */
export async function createBridge(switchPid: number): Promise<void> {
  const batch = [
    'link set lo up',
    `link add ${BRIDGE} type bridge`,
    `addr add ${BRIDGE_ADDRESS}/${LAB_PREFIX_LEN} dev ${BRIDGE}`,
    `link set ${BRIDGE} up`,
  ].join('\n');
  await run(inSwitchArgv(switchPid, ['ip', '-batch', '-']), { input: `${batch}\n` });
}

/**
 * Drops (and counts) anything the switch namespace would route between interfaces other than
 * the bridge, a second guarantee beside it having no other interface and no default route.
 */
export async function installForwardGuard(switchPid: number): Promise<void> {
  const rules = [
    `table inet ${GUARD_TABLE} {`,
    '  chain forward {',
    '    type filter hook forward priority -10; policy accept;',
    `    iifname "${BRIDGE}" oifname != "${BRIDGE}" counter drop comment "lab-out"`,
    `    oifname "${BRIDGE}" iifname != "${BRIDGE}" counter drop comment "lab-in"`,
    '  }',
    '}',
  ].join('\n');
  await run(inSwitchArgv(switchPid, ['nft', '-f', '-']), { input: rules });
}

/** Packets the forward guard dropped so far. */
export async function forwardGuardDrops(switchPid: number): Promise<number> {
  const out = await run(inSwitchArgv(switchPid, ['nft', 'list', 'table', 'inet', GUARD_TABLE]));
  return [...out.matchAll(/counter packets (\d+)/g)].reduce((sum, m) => sum + Number(m[1]), 0);
}

/** Host-side name of a host's veth. */
export function vethName(host: string): string {
  return `${VETH_PREFIX}${host}`;
}

/** Plugs a host into the bridge: a veth pair whose inner end is the host's eth0 with its address. */
export async function wireHost(switchPid: number, host: string, anchorPid: number, address: string): Promise<void> {
  const veth = vethName(host);
  // A host booted again after a kill may leave its old switch-side veth for a moment.
  await tryRun(inSwitchArgv(switchPid, ['ip', 'link', 'del', veth]));
  await run(inSwitchArgv(switchPid, ['ip', 'link', 'add', veth, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', String(anchorPid)]));
  await run(inSwitchArgv(switchPid, ['ip', 'link', 'set', veth, 'master', BRIDGE, 'up']));
  const inside = ['link set lo up', `addr add ${address}/${LAB_PREFIX_LEN} dev eth0`, 'link set eth0 up'].join('\n');
  await run(['nsenter', '-t', String(anchorPid), '-n', '--', 'ip', '-batch', '-'], { input: `${inside}\n` });
}

/** Takes a host's link down on the switch side (cable pulled) or back up. */
export async function setHostLink(switchPid: number, host: string, up: boolean): Promise<void> {
  await run(inSwitchArgv(switchPid, ['ip', 'link', 'set', vethName(host), up ? 'up' : 'down']));
}

/** `ip -o link show` of the switch namespace. */
export async function switchLinks(switchPid: number): Promise<string> {
  return run(inSwitchArgv(switchPid, ['ip', '-o', 'link', 'show']));
}
