import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { bootSwitch, findAnchorPids, namespaceId } from './host-anchor';
import { bootHost, updateState } from './host-lifecycle';
import { startInHost, type StartInHostOptions } from './in-host';
import { labDown } from './lab-down';
import { labDir, labPaths, OVERLAY_DIRS } from './lab-paths';
import { readLabState, writeLabState } from './lab-state';
import { createBridge, installForwardGuard } from './network';
import { requireRoot } from './require-root';
import { buildStandins } from '@kumi/lab-standins/build-standins';
import { describeKubectlMode } from '@kumi/lab-standins/packages/kubectl-client';
import type { LabHost, Topology } from './topology';

/** How to start the kumi agent (or any command) in each host once it is up. */
export interface AgentLaunch extends StartInHostOptions {
  argv: string[];
}

/** Options of `kumi-lab up`. */
export interface LabUpOptions {
  topology: Topology;
  /** Keep booting the other hosts when one fails (default: stop, tear down, throw). */
  keepGoing?: boolean;
  /** Started as service "kumi-agent" in every host, given the host. */
  agent?: (host: LabHost) => AgentLaunch | undefined;
  /** Progress lines. */
  log?: (line: string) => void;
}

/** What `up` did. */
export interface LabUpResult {
  ms: number;
  failures: Array<{ host: string; error: string }>;
}

/** Builds the lab: stand-ins, the switch namespace with its bridge, then every host (booted in parallel). */
export async function labUp(opts: LabUpOptions): Promise<LabUpResult> {
  requireRoot('up');
  const started = Date.now();
  const log = opts.log ?? (() => {});
  const leftovers = [...(readLabState() ? ['state.json'] : []), ...findAnchorPids().map((a) => `host ${a.host}`)];
  if (leftovers.length > 0) {
    throw new Error(`a lab is already up or left over from a crashed run (${leftovers.slice(0, 4).join(', ')}): run \`kumi-lab down\` first`);
  }
  const overlaid = OVERLAY_DIRS.find((o) => labDir() === o.dir || labDir().startsWith(`${o.dir}/`));
  if (overlaid || !path.isAbsolute(labDir())) {
    throw new Error(`lab dir ${labDir()} must be an absolute path outside the hosts' overlays (${OVERLAY_DIRS.map((o) => o.dir).join(' ')}); set KUMI_LAB_DIR, e.g. /var/tmp/kumi-lab`);
  }
  if (!existsSync(labDir())) mkdirSync(labDir(), { recursive: true });
  writeLabState({ phase: 'starting', topology: opts.topology, startedAt: new Date().toISOString(), hosts: {} });
  const failures: LabUpResult['failures'] = [];
  try {
    const commands = await buildStandins(labPaths.bin(), labPaths.packages());
    log(`stand-ins built: ${commands.join(' ')}`);
    log(describeKubectlMode(process.env.KUMI_LAB_KUBECTL));
    const sw = await bootSwitch();
    const switchNetNs = namespaceId(sw.pid, 'net') ?? '';
    updateState((s) => {
      s.switch = { pid: sw.pid, netNs: switchNetNs };
    });
    await createBridge(sw.pid);
    await installForwardGuard(sw.pid);
    log(`switch namespace (pid ${sw.pid}): bridge kumilab0, coordinator 192.0.2.1/24, no uplink, forward guard on`);
    const results = await Promise.allSettled(opts.topology.hosts.map((h) => bootHost(h, opts.topology, sw.pid)));
    results.forEach((r, i) => {
      const host = opts.topology.hosts[i] as LabHost;
      if (r.status === 'fulfilled') log(`${host.name} up: ${host.address} (pid ${r.value.anchorPid})`);
      else failures.push({ host: host.name, error: (r.reason as Error).message });
    });
    if (failures.length > 0 && !opts.keepGoing) {
      throw new Error(`hosts failed to boot: ${failures.map((f) => `${f.host}: ${f.error}`).join('; ')}`);
    }
    await Promise.all(
      opts.topology.hosts.map(async (host) => {
        const launch = opts.agent?.(host);
        if (!launch || failures.some((f) => f.host === host.name)) return;
        await startInHost(host.name, 'kumi-agent', launch.argv, launch);
        log(`${host.name}: agent started`);
      }),
    );
    updateState((s) => {
      s.phase = 'up';
    });
  } catch (err) {
    log(`up failed, tearing down: ${(err as Error).message}`);
    // The boot failure is what the caller needs; a failed teardown is only logged beside it.
    await labDown({ log }).catch((downErr: Error) => log(`tearing down after the failed up failed too: ${downErr.message}`));
    throw err;
  }
  return { ms: Date.now() - started, failures };
}
