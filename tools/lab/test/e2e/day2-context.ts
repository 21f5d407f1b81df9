// The shared context of the #12 acceptance chain (day2.test.ts): one lab, one coordinator state
// folder and one spec file that every phase edits and runs kumi on. Phases are functions of
// this context (e.g. upgradePhase(ctx), certsPhase(ctx), backupPhase(ctx)) appended to the
// chain after grow / replace / shrink; each reads the cluster it is handed from the spec file.
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parse, stringify } from 'yaml';
import { REPO_ROOT, type LabCluster } from '../../src/cluster';
import { runKumiStreaming, type KumiRunOptions, type KumiRunResult } from '../../src/e2e/kumi-run';
import { seedTopology, type Topology } from '../../src/topology';

/** One host of the spec file. */
export interface SpecHost {
  name: string;
  address: string;
  roles: string[];
}

/** The parts of the cluster spec (examples/seed-ha.yaml's shape) the phases read and edit. */
export interface Day2Spec {
  spec: {
    kubernetes: { version: string; [key: string]: unknown };
    hosts: SpecHost[];
    [key: string]: unknown;
  };
  [key: string]: unknown;
}

/** Options of one kumi run. */
export interface Day2KumiOptions {
  onEvent?: KumiRunOptions['onEvent'];
  /** SIGKILL after this long (default 150 s). */
  timeoutMs?: number;
}

/** What every phase of the chain is handed. */
export interface Day2Context {
  /** The lab: hosts lb1, lb2, master1-4, worker1-2, an agent in each; only the spec's hosts are in the cluster. */
  cluster: LabCluster;
  /** The coordinator's state folder (journal, host registry). */
  stateDir: string;
  /** The spec file every kumi run of the chain is given. */
  specPath: string;
  /** The VIP the load balancers hold. */
  vip: string;
  /** Arguments every run that waits for agents takes. */
  attachArgs: readonly string[];
  /** Runs kumi (add --json to stream events), keeps the run in `runs` and its time in `timings`. */
  kumi(args: string[], opts?: Day2KumiOptions): Promise<KumiRunResult>;
  /** The spec file as it is now. */
  readSpec(): Day2Spec;
  /** Rewrites the spec file through `edit` (e.g. a new kubernetes.version, a host added). */
  editSpec(edit: (spec: Day2Spec) => void): void;
  /** The spec's hosts of a role, sorted. */
  hostsWithRole(role: 'control-plane' | 'worker' | 'loadbalancer'): string[];
  /** Every kumi run of the chain so far, in order (for "nothing joined twice" over all runs). */
  runs: KumiRunResult[];
  /** Human timing lines, printed after the chain. */
  timings: string[];
}

/** The lab of the chain: the seed's hosts plus a fourth control plane and a second worker. */
export function day2Topology(): Topology {
  const seed = seedTopology();
  return {
    vip: seed.vip,
    hosts: [
      ...seed.hosts,
      { name: 'master4', role: 'master', address: '192.0.2.24', os: 'rocky-9', firewall: 'firewalld' },
      { name: 'worker2', role: 'worker', address: '192.0.2.32', os: 'debian-12', firewall: 'nftables' },
    ],
  };
}

/** Agents reconnect with a backoff capped at 5 s: 90 s is plenty. */
const ATTACH = ['--attach-timeout', '90s'] as const;

/** The context over a started lab: the spec file is written at specPath from the seed's spec, then edited by `initial`. */
export function createDay2Context(cluster: LabCluster, specPath: string, initial: (spec: Day2Spec) => void): Day2Context {
  const seed = parse(readFileSync(path.join(REPO_ROOT, 'examples/seed-ha.yaml'), 'utf8')) as Day2Spec;
  initial(seed);
  writeFileSync(specPath, stringify(seed));
  const ctx: Day2Context = {
    cluster,
    stateDir: cluster.stateDir,
    specPath,
    vip: cluster.topology.vip,
    attachArgs: ATTACH,
    runs: [],
    timings: [],
    async kumi(args, opts = {}) {
      const run = await runKumiStreaming(cluster.bundles.kumi, cluster.stateDir, args, { timeoutMs: opts.timeoutMs ?? 150_000, ...(opts.onEvent ? { onEvent: opts.onEvent } : {}) });
      ctx.runs.push(run);
      ctx.timings.push(`kumi ${args.slice(0, 2).join(' ')}: ${run.ms} ms${run.killed ? ' (killed)' : ''}`);
      return run;
    },
    readSpec: () => parse(readFileSync(specPath, 'utf8')) as Day2Spec,
    editSpec(edit) {
      const spec = ctx.readSpec();
      edit(spec);
      writeFileSync(specPath, stringify(spec));
    },
    hostsWithRole: (role) => ctx.readSpec().spec.hosts.filter((host) => host.roles.includes(role)).map((host) => host.name).sort(),
  };
  return ctx;
}

/** The address the lab gives a host (the spec must use the same). */
export function labAddress(topology: Topology, name: string): string {
  const host = topology.hosts.find((candidate) => candidate.name === name);
  if (!host) throw new Error(`the day2 lab has no host ${name}`);
  return host.address;
}
