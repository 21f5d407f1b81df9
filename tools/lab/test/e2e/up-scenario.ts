// `kumi up` end to end in the lab with real agents, as one row of the version and runtime matrix
// (one file per row under this folder, each with its own lab, so rows can run in parallel): the
// build, then verify, the failover drill, reset, and a leak scan of every byte kumi and the
// agents wrote. The seed's row also crashes the build (SIGKILL of the coordinator) at every
// stage boundary of the coordinator's stage order and once in the middle of a join, with the lab
// clock moved past the 2-hour certificate-key lifetime between control-plane joins and past
// every token's TTL before the worker join. Root only; skipped loudly otherwise.
import { rmSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UP_STAGE_IDS } from '../../../../apps/coordinator/src/plan/types';
import { AGENT_LOG_PATH, labClusterFixture, REPO_ROOT, type LabCluster } from '../../src/cluster';
import { clusterDnsAnswers, etcdMemberNames, healthzThroughVip, nodeNames, podsWithNetwork, resetLeftovers } from '../../src/e2e/cluster-facts';
import { killKumiRuns, runKumiStreaming, type KumiRunOptions, type KumiRunResult } from '../../src/e2e/kumi-run';
import { fileTexts, filesUnder, MintedSecrets, scanForSecrets } from '../../src/e2e/leak-scan';
import { eventsOf, failureSummary, parseProgressStream, type ProgressRecord } from '../../src/e2e/progress-records';
import { provisionSeedExtras } from '../../src/e2e/seed-extras';
import { parseClockShift, shiftLabClock } from '@kumi/lab-standins/host/lab-clock';
import { inHost } from '../../src/in-host';
import { hostFilePath } from '../../src/lab-paths';
import type { Topology } from '../../src/topology';
import { labSkipReason } from '../lab-checks';
import { expectLivePageOfBuild, LIVE_PAGE_ARGS, LivePageWatch, livePageSkip } from './live-page';

/** One row of the matrix: a spec (Kubernetes version, runtime) built on a topology. */
export interface MatrixRow {
  /** Short name: the lab and state dirs and the test titles carry it. */
  name: string;
  /** The cluster spec, relative to the repository root. */
  spec: string;
  topology: Topology;
  /** What the row covers, for the test title: e.g. "1.33, kubeadm v1beta4, local mode on, containerd 1.6 (config v2)". */
  covers: string;
  /** Crash the build at every stage boundary and mid-join, renewing expired secrets (the seed's row). */
  crashChain: boolean;
  /** Follow the last `kumi up`'s live page (`--web`) in headless Chromium from start to end. */
  livePage?: boolean;
  /** Prepares the hosts beyond the seed's extras (after them), e.g. the Docker row's disks and downloads. */
  provision?: (topology: Topology) => Promise<void>;
}

/** A point of a run: the event the coordinator is SIGKILLed at. */
interface CrashPoint {
  label: string;
  at(event: ProgressRecord): boolean;
  /** Done between the crash and the rerun. */
  after?: () => void;
}

const stageDone = (stage: string): CrashPoint => ({ label: `after stage ${stage}`, at: (e) => e.kind === 'STAGE_DONE' && e.stage === stage });

/**
 * The crash chain, from the coordinator's own stage order: one run killed after every stage but
 * the last (after the last the run is over), the lab clock +25 h after the control-plane joins
 * (every token made so far, the 24 h default one too, expires), and one run killed in the middle
 * of the first worker's join. The run after the last point must finish.
 */
export function crashChain(firstWorker: string): CrashPoint[] {
  return UP_STAGE_IDS.slice(0, -1).flatMap((stage): CrashPoint[] => {
    if (stage === 'join-control-planes') {
      return [
        { label: `after stage ${stage} (then the lab clock +25h: every token made so far expires)`, at: (e) => e.kind === 'STAGE_DONE' && e.stage === stage, after: () => shiftLabClock(parseClockShift('+25h')) },
        { label: `in the middle of ${firstWorker} join`, at: (e) => e.kind === 'START' && e.step === 'kubeadm.join' && e.host === firstWorker },
      ];
    }
    return [stageDone(stage)];
  });
}

/** The join lanes' entries that put a minted secret on the cluster (on a healthy control plane). */
const SECRET_STEPS = new Set(['kubeadm.upload-certs', 'kubeadm.token-create']);

/** Agents reconnect with a backoff capped at 5 s: 90 s is plenty, and a lab whose agents never attach fails fast. */
const ATTACH = ['--attach-timeout', '90s'];

/** Defines the row's tests (call it once at the top of the row's file). */
export function kumiUpScenario(row: MatrixRow): void {
const skip = labSkipReason();
if (skip) console.warn(`\n*** SKIPPED: kumi up end-to-end lab tests, row ${row.name} (${skip}) ***\n`);

const LAB_DIR = `/var/tmp/kumi-lab-test-e2e-${row.name}-${process.pid}`;
process.env.KUMI_LAB_DIR = LAB_DIR;
const STATE_DIR = `/var/tmp/kumi-lab-test-e2e-${row.name}-state-${process.pid}`;
const SPEC = path.resolve(REPO_ROOT, row.spec);
const CONTROL_PLANES = row.topology.hosts.filter((h) => h.role === 'master').map((h) => h.name).sort();
const WORKERS = row.topology.hosts.filter((h) => h.role === 'worker').map((h) => h.name).sort();
const NODES = [...CONTROL_PLANES, ...WORKERS].sort();
const VIP = row.topology.vip;
const CRASHES = row.crashChain ? crashChain(WORKERS[0] ?? '') : [];
const upArgs = ['up', SPEC, '--yes', '--json', ...ATTACH];
const liveSkip = row.livePage ? livePageSkip() : 'not asked for in this row';
if (row.livePage && liveSkip) console.warn(`\n*** SKIPPED: the live page of row ${row.name} in Chromium (${liveSkip}) ***\n`);

describe.skipIf(skip)(`kumi up in the lab, row ${row.name}: ${row.covers}`, () => {
  const lab = labClusterFixture();
  let cluster: LabCluster | undefined;
  const runs: KumiRunResult[] = [];
  const minted = new MintedSecrets();
  const timings: string[] = [];
  let collecting: Promise<void> = Promise.resolve();
  /** Set once the build completed: the later tests need the cluster and fail at once without it. */
  let built = false;
  const needCluster = () => expect(built, 'no cluster: the build (first test) failed, see its error').toBe(true);
  const live = liveSkip ? undefined : new LivePageWatch(6 * 60_000);

  /** Reads the minted secrets from the first control plane whose API answers (in the background, one at a time). */
  const collectSecrets = () => {
    collecting = collecting.then(async () => {
      for (const host of CONTROL_PLANES) {
        const before = minted.tokens.size + minted.encryptedCerts.size;
        await minted.collect(host).catch(() => undefined);
        if (minted.tokens.size + minted.encryptedCerts.size > before) return;
      }
    });
  };
  const kumi = (args: string[], onEvent?: KumiRunOptions['onEvent'], timeoutMs = 150_000) =>
    runKumiStreaming(cluster!.bundles.kumi, STATE_DIR, args, { timeoutMs, ...(onEvent ? { onEvent } : {}) }).then((run) => {
      runs.push(run);
      timings.push(`kumi ${args[0]}: ${run.ms} ms${run.killed ? ' (killed)' : ''}`);
      return run;
    });

  beforeAll(async () => {
    const started = Date.now();
    cluster = await lab.start({ topology: row.topology, stateDir: STATE_DIR, serve: false, removeStateDir: false, clusterName: row.name });
    await provisionSeedExtras(cluster.topology);
    await row.provision?.(cluster.topology);
    timings.push(`lab up with agents: ${Date.now() - started} ms (bundles ${cluster.timings.bundleMs} ms, lab ${cluster.timings.labUpMs} ms)`);
  }, 180_000);

  afterAll(async () => {
    console.log(`kumi up e2e timings (row ${row.name}):\n  ${timings.join('\n  ')}`);
    killKumiRuns();
    await collecting.catch(() => undefined);
    await live?.close();
    try {
      await lab.stop();
    } finally {
      rmSync(STATE_DIR, { recursive: true, force: true });
      rmSync(LAB_DIR, { recursive: true, force: true });
    }
  }, 120_000);

  it(row.crashChain ? 'builds the cluster through a crash at every stage boundary and mid-join, renewing expired secrets' : 'builds the cluster', async () => {
    const renewal = { paused: false, run: -1, pausedAtSeq: 0 };
    for (const crash of CRASHES) {
      const run = await kumi(upArgs, (event, control) => {
        if (crash.at(event)) return control.kill();
        if (SECRET_STEPS.has(event.step ?? '') && event.kind === 'DONE') collectSecrets();
        if (event.step === 'kubeadm.join' && event.kind === 'START') collectSecrets();
        // Between the control-plane joins, freeze the coordinator and move the lab past the
        // certificate key's 2 h: its own clock says the upload is seconds old, so only a check
        // against the cluster can tell that master3 needs a fresh upload.
        if (!renewal.paused && event.step === 'kubeadm.join' && event.host === 'master2' && event.kind === 'DONE') {
          renewal.paused = true;
          renewal.run = runs.length;
          renewal.pausedAtSeq = event.seq;
          control.pause();
          shiftLabClock(parseClockShift('+125m'));
          control.resume();
        }
        return undefined;
      });
      expect(run.killed, `kumi up should have been killed ${crash.label}, but it ended (exit ${run.exitCode}):\n${failureSummary(run.events, run.stderr)}`).toBe(true);
      crash.after?.();
    }
    if (row.crashChain) expect(renewal.paused, 'the run never reached the end of master2 join').toBe(true);

    // The last run builds whatever is left: the whole cluster when nothing crashed before it.
    const final = await kumi(
      live ? [...upArgs, ...LIVE_PAGE_ARGS] : upArgs,
      (event) => {
        live?.onEvent(event);
        if (SECRET_STEPS.has(event.step ?? '') && event.kind === 'DONE') collectSecrets();
        if (event.step === 'kubeadm.join' && event.kind === 'START') collectSecrets();
      },
      6 * 60_000,
    );
    expect(final.exitCode, failureSummary(final.events, final.stderr)).toBe(0);
    const events = parseProgressStream(final.stdout);
    expect(events.at(-1)?.kind).toBe('RUN_DONE');
    expect(events.filter((e) => e.kind === 'STAGE_DONE').map((e) => e.stage)).toContain('drill');

    // Every node joined exactly once: etcd and the API say so, and no run joined a host twice.
    expect(await etcdMemberNames('master2')).toEqual(CONTROL_PLANES);
    expect(await nodeNames('master2')).toEqual(NODES);
    const all = runs.flatMap((run) => run.events);
    for (const host of ['master2', 'master3', 'worker1']) {
      const joins = eventsOf(all, 'kubeadm.join', host);
      expect(joins.filter((e) => e.kind === 'DONE').length, `${host} joined more than once`).toBeLessThanOrEqual(1);
      expect(joins.filter((e) => e.kind === 'OUTPUT' && /This node has joined the cluster/.test(e.text ?? '')).length).toBeLessThanOrEqual(1);
      expect(joins.some((e) => e.kind === 'DONE' || e.kind === 'SKIPPED'), `${host}: neither joined nor found joined`).toBe(true);
    }
    expect(eventsOf(all, 'kubeadm.init', 'master1').filter((e) => e.kind === 'DONE').length).toBe(1);
    // No token kumi made outlives its lane (init's, each join's, and those of crashed attempts):
    // only kubeadm's own proxy token of the uploaded certificates may be left.
    const tokens = await inHost('master2', ['kubeadm', 'token', 'list', '--kubeconfig', '/etc/kubernetes/admin.conf', '-o', 'json'], { timeoutMs: 20_000 });
    expect(tokens.exitCode, String(tokens.stderr)).toBe(0);
    const descriptions = [...String(tokens.stdout).matchAll(/"description":\s*"([^"]*)"/g)].map((match) => match[1]);
    expect(descriptions.filter((text) => !/^Proxy for managing TTL for the kubeadm-certs secret$/.test(text ?? ''))).toEqual([]);
    built = true;
    if (!row.crashChain) return;
    // In the run frozen after master2's join, the same broker (whose own clock had moved only
    // seconds) uploaded the certificates again before master3 joined: it asked the cluster.
    const frozen = runs[renewal.run]?.events ?? [];
    const master3Join = frozen.find((e) => e.step === 'kubeadm.join' && e.host === 'master3' && e.kind === 'DONE');
    const reUpload = frozen.find((e) => e.step === 'kubeadm.upload-certs' && e.kind === 'DONE' && e.seq > renewal.pausedAtSeq);
    const brokerEvents = frozen.filter((e) => SECRET_STEPS.has(e.step ?? '') || e.stage === 'secret-broker').map((e) => `${e.seq} ${e.kind} ${e.stage}/${e.step}@${e.host}: ${e.text ?? ''}`);
    expect(reUpload, `no certificate re-upload after the lab clock passed 2 h (paused at seq ${renewal.pausedAtSeq}); broker events:\n${brokerEvents.join('\n')}`).toBeDefined();
    expect(master3Join, 'master3 did not join in the run whose clock moved').toBeDefined();
    expect(reUpload!.seq).toBeLessThan(master3Join!.seq);
    // The crash chain is 10 killed runs and the final one: 561 s for this test (678 s wall, 457 s CPU for the file) on a 2-core machine shared with other work.
  }, row.crashChain ? 25 * 60_000 : 12 * 60_000);

  it.skipIf(liveSkip)('headless Chromium followed the last build on its live page: hosts, steps streaming in over server-sent events, the end', async () => {
    // The last build is the whole build in a row without crashes: master1's init and every join are in it.
    const joins = [...CONTROL_PLANES.slice(1).map((host) => `join-control-planes/kubeadm.join@${host}`), ...WORKERS.map((host) => `join-workers/kubeadm.join@${host}`)];
    expectLivePageOfBuild(await live!.result(), row.topology.hosts.map((h) => h.name), [`init/kubeadm.init@${CONTROL_PLANES[0]}`, ...joins]);
  }, 60_000);

  it('kumi verify is all green', async () => {
    needCluster();
    const run = await kumi(['verify', SPEC, '--json', ...ATTACH]);
    expect(run.exitCode, failureSummary(run.events, run.stderr)).toBe(0);
    const events = parseProgressStream(run.stdout);
    expect(events.filter((e) => e.kind === 'FAILED')).toEqual([]);
    const verified = events.filter((e) => e.step === 'verify' && (e.kind === 'DONE' || e.kind === 'NOOP'));
    expect(verified.map((e) => e.host), events.map((e) => `${e.kind} ${e.step}@${e.host}: ${e.text ?? ''}`).join('\n')).toEqual(['master1']);
    expect(events.some((e) => e.kind === 'STAGE_DONE' && e.stage === 'verify')).toBe(true);
  }, 3 * 60_000);

  it("pods on different nodes reach each other over flannel's VXLAN through the hosts' firewalls", async () => {
    needCluster();
    const pods = await podsWithNetwork('master2');
    const from = pods[0];
    const to = pods.find((pod) => pod.node !== from?.node);
    expect(to, `no two pods with their own network on different nodes: ${JSON.stringify(pods)}`).toBeDefined();
    const ping = await inHost(from!.node, ['ip', 'netns', 'exec', from!.netns, 'ping', '-n', '-c', '2', '-i', '0.3', '-W', '2', to!.ip], { timeoutMs: 20_000 });
    expect(ping.exitCode, `${from!.name}@${from!.node} (${from!.ip}) -> ${to!.name}@${to!.node} (${to!.ip}):\n${String(ping.stdout)}${String(ping.stderr)}`).toBe(0);
  }, 60_000);

  it('kumi drill: with master1 down, the API answers through the VIP and cluster DNS resolves', async () => {
    needCluster();
    const seen: { healthz?: string; nodes?: string[]; dns?: boolean; etcd?: string[]; error?: string } = {};
    let looked = false;
    const run = await kumi(['drill', SPEC, '--yes', '--json', ...ATTACH], async (event) => {
      // While the drill keeps master1 down (its 30 s sleep), look for ourselves from outside,
      // giving HAProxy the seed's 10 s to take master1 out of the backend.
      if (looked || event.kind !== 'PROGRESS' || event.host !== 'master1' || !/^run sleep /.test(event.text ?? '')) return;
      looked = true;
      const until = Date.now() + 15_000;
      do {
        try {
          seen.healthz = await healthzThroughVip(VIP);
          seen.nodes = await nodeNames('master2');
          seen.dns = await clusterDnsAnswers('master2');
          seen.etcd = await etcdMemberNames('master2');
          delete seen.error;
          if (seen.healthz === 'ok' && seen.dns) break;
        } catch (error) {
          seen.error = (error as Error).message;
        }
        await sleep(1000);
      } while (Date.now() < until);
    });
    expect(run.exitCode, failureSummary(run.events, run.stderr)).toBe(0);
    expect(seen).toEqual({ healthz: 'ok', nodes: NODES, dns: true, etcd: CONTROL_PLANES });
    expect(await healthzThroughVip(VIP)).toBe('ok');
  }, 3 * 60_000);

  it('kumi reset leaves every host clean', async () => {
    needCluster();
    const run = await kumi(['reset', SPEC, '--yes', '--json', ...ATTACH]);
    expect(run.exitCode, failureSummary(run.events, run.stderr)).toBe(0);
    parseProgressStream(run.stdout);
    const dirty: Record<string, string[]> = {};
    for (const host of NODES) {
      const left = await resetLeftovers(host);
      if (left.length > 0) dirty[host] = left;
    }
    expect(dirty).toEqual({});
  }, 3 * 60_000);

  it('no minted secret appears in anything kumi or the agents wrote', async () => {
    await collecting;
    expect(minted.tokens.size, 'no bootstrap token was seen: nothing to scan for').toBeGreaterThanOrEqual(row.crashChain ? 3 : 1);
    expect(minted.encryptedCerts.size, 'no certificate upload was seen').toBeGreaterThanOrEqual(1);
    const texts: Array<[string, string]> = [
      ...runs.flatMap((run, index): Array<[string, string]> => [
        [`run ${index} stdout`, run.stdout],
        [`run ${index} stderr`, run.stderr],
      ]),
      ...fileTexts(filesUnder(STATE_DIR)),
      ...NODES.map((host): [string, string] => [hostFilePath(host, AGENT_LOG_PATH), cluster!.agentLog(host)]),
      ...(live ? await live.texts() : []),
    ];
    // The scanner itself finds what it looks for.
    const probe = [...minted.tokens][0]!;
    expect(scanForSecrets(minted, [['probe', `x ${probe} y`]])).toHaveLength(1);
    expect(scanForSecrets(minted, texts)).toEqual([]);
    // No secret file (kubeadm configs with tokens or keys) is left in any host.
    for (const host of NODES) {
      const left = await inHost(host, ['sh', '-c', 'ls -d /tmp/kumi-secret-* /run/kumi-secret-* 2>/dev/null; true']);
      expect(String(left.stdout).trim(), `secret files left in ${host}`).toBe('');
    }
  }, 60_000);
});
}

/**
 * A row this machine cannot build, for a reason kumi must name before it changes anything:
 * `kumi up` has to stop in preflight with `refusal` for every Kubernetes node and exit non-zero.
 */
export function kumiUpRefusedScenario(row: Omit<MatrixRow, 'crashChain'>, refusal: RegExp, because: string): void {
  const skip = labSkipReason();
  if (skip) console.warn(`\n*** SKIPPED: kumi up end-to-end lab tests, row ${row.name} (${skip}) ***\n`);
  const LAB_DIR = `/var/tmp/kumi-lab-test-e2e-${row.name}-${process.pid}`;
  process.env.KUMI_LAB_DIR = LAB_DIR;
  const STATE_DIR = `/var/tmp/kumi-lab-test-e2e-${row.name}-state-${process.pid}`;
  const nodes = row.topology.hosts.filter((h) => h.role !== 'lb').map((h) => h.name).sort();
  const lab = labClusterFixture();
  let cluster: LabCluster | undefined;

  describe.skipIf(skip)(`kumi up in the lab, row ${row.name}: ${row.covers}`, () => {
    beforeAll(async () => {
      cluster = await lab.start({ topology: row.topology, stateDir: STATE_DIR, serve: false, removeStateDir: false, clusterName: row.name });
      await provisionSeedExtras(cluster.topology);
    }, 180_000);

    afterAll(async () => {
      killKumiRuns();
      try {
        await lab.stop();
      } finally {
        rmSync(STATE_DIR, { recursive: true, force: true });
        rmSync(LAB_DIR, { recursive: true, force: true });
      }
    }, 120_000);

    it(`kumi up stops in preflight on every node: ${because}`, async () => {
      const run = await runKumiStreaming(cluster!.bundles.kumi, STATE_DIR, ['up', path.join(REPO_ROOT, row.spec), '--yes', '--json', ...ATTACH], { timeoutMs: 150_000 });
      expect(run.exitCode, `kumi up should have failed: ${failureSummary(run.events, run.stderr)}`).not.toBe(0);
      const failed = run.events.filter((e) => e.kind === 'FAILED' && e.step === 'preflight' && refusal.test(`${e.text ?? ''} ${e.error?.message ?? ''}`)).map((e) => e.host);
      expect([...new Set(failed)].sort(), failureSummary(run.events, run.stderr)).toEqual(nodes);
      // Nothing was installed: the build never got past preflight.
      expect(run.events.filter((e) => e.stage === 'prepare' && e.kind === 'DONE')).toEqual([]);
    }, 4 * 60_000);
  });
}
