// The upgrade phase of the #12 chain (day2.test.ts): `kumi upgrade` one minor while a probe asks
// the API through the VIP every 200 ms; the coordinator is SIGKILLed in the middle (once the
// other control planes started) and run again; then every node's kubelet and every control
// plane's API server must be at the new version. Hostile inputs first: a jump of two minors and
// a downgrade exit 2 with the fix and change nothing, and so does `kumi up` with the spec at
// the target (that is kumi upgrade's work) or below the cluster's version.
import { spawn } from 'node:child_process';
import { expect } from 'vitest';
import { ADMIN } from '../../src/e2e/cluster-facts';
import { failureSummary } from '../../src/e2e/progress-records';
import { coordinatorArgv, inCoordinator, inHost } from '../../src/in-host';
import type { Day2Context } from './day2-context';

/** What the phase measured. */
export interface UpgradePhaseResult {
  from: string;
  to: string;
  /** The longest time the API through the VIP did not answer /healthz "ok" (ms). */
  longestGapMs: number;
  probes: number;
  failedProbes: number;
}

/** Every PROBE_MS one GET /healthz through the VIP, from the coordinator's side of the lab; one line per answer. */
const PROBE_MS = 200;
const PROBE_SCRIPT = `
const https = require('node:https');
const [vip] = process.argv.slice(1);
const probe = () => {
  const started = Date.now();
  const req = https.get({ host: vip, port: 6443, path: '/healthz', rejectUnauthorized: false, timeout: 1000 }, (res) => {
    let body = '';
    res.on('data', (c) => (body += c));
    res.on('end', () => console.log(started + ' ' + (res.statusCode === 200 && body.trim() === 'ok' ? 'ok' : 'bad')));
  });
  req.on('timeout', () => req.destroy(new Error('timeout')));
  req.on('error', () => console.log(started + ' bad'));
};
setInterval(probe, ${PROBE_MS});
`;

/** The API probe: started now, stopped by stop(), which returns the longest gap between answers "ok". */
function startApiProbe(vip: string): { stop(): { longestGapMs: number; probes: number; failed: number } } {
  const [file, ...args] = coordinatorArgv([process.execPath, '-e', PROBE_SCRIPT, vip]);
  const child = spawn(file as string, args, { stdio: ['ignore', 'pipe', 'ignore'] });
  const answers: { at: number; ok: boolean }[] = [];
  let pending = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    pending += chunk;
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) {
      const [at, verdict] = line.trim().split(' ');
      if (at) answers.push({ at: Number(at), ok: verdict === 'ok' });
    }
  });
  return {
    stop() {
      child.kill('SIGKILL');
      answers.sort((a, b) => a.at - b.at);
      let longestGapMs = 0;
      let lastOk = answers.find((answer) => answer.ok)?.at;
      for (const answer of answers) {
        if (!answer.ok || lastOk === undefined) continue;
        longestGapMs = Math.max(longestGapMs, answer.at - lastOk);
        lastOk = answer.at;
      }
      const last = answers.at(-1);
      if (last && lastOk !== undefined) longestGapMs = Math.max(longestGapMs, last.at - lastOk);
      return { longestGapMs, probes: answers.length, failed: answers.filter((answer) => !answer.ok).length };
    },
  };
}

/** "1.32.2" with the minor moved by `by` (the lab's repositories offer patch 2 of every minor). */
function minorPlus(version: string, by: number): string {
  const [major, minor] = version.split('.').map(Number) as [number, number];
  return `${major}.${minor + by}.2`;
}

/** status.nodeInfo.kubeletVersion of every node, asked on a control plane. */
async function kubeletVersions(controlPlane: string): Promise<Record<string, string>> {
  const result = await inHost(controlPlane, ['kubectl', ...ADMIN, 'get', 'nodes', '-o', 'json'], { timeoutMs: 20_000 });
  const nodes = (JSON.parse(String(result.stdout)) as { items: { metadata: { name: string }; status: { nodeInfo: { kubeletVersion: string } } }[] }).items;
  return Object.fromEntries(nodes.map((node) => [node.metadata.name, node.status.nodeInfo.kubeletVersion]));
}

/** The gitVersion each control plane's own API server answers /version with. */
async function apiServerVersions(controlPlanes: readonly string[], address: (host: string) => string): Promise<Record<string, string>> {
  const versions: Record<string, string> = {};
  for (const host of controlPlanes) {
    const result = await inCoordinator(['curl', '-sk', '-m', '3', `https://${address(host)}:6443/version`], { timeoutMs: 5000 });
    versions[host] = (JSON.parse(String(result.stdout || '{}')) as { gitVersion?: string }).gitVersion ?? '';
  }
  return versions;
}

/**
 * Upgrades the chain's cluster one minor (to `to`, default the next minor's patch 2) with the
 * API probe running, SIGKILLs the coordinator once the other control planes started, reruns,
 * and checks the versions. Returns what it measured (also added to ctx.timings).
 */
export async function upgradePhase(ctx: Day2Context, to?: string): Promise<UpgradePhaseResult> {
  const from = ctx.readSpec().spec.kubernetes.version;
  const target = to ?? minorPlus(from, 1);
  const upgrade = ['upgrade', ctx.specPath, '--yes', '--json', ...ctx.attachArgs];
  const controlPlanes = ctx.hostsWithRole('control-plane');
  const nodes = [...controlPlanes, ...ctx.hostsWithRole('worker')].sort();
  const address = (host: string) => ctx.readSpec().spec.hosts.find((candidate) => candidate.name === host)?.address ?? '';

  // Hostile: two minors at once, and a downgrade, are refused with the path; nothing runs.
  for (const [version, why] of [
    [minorPlus(from, 2), `upgrade to ${minorPlus(from, 1).split('.').slice(0, 2).join('.')}`],
    [minorPlus(from, -1), 'kumi does not downgrade'],
  ] as const) {
    ctx.editSpec((spec) => void (spec.spec.kubernetes.version = version));
    const refused = await ctx.kumi(upgrade);
    expect(refused.exitCode, `kumi upgrade to ${version} from ${from}:\n${refused.stderr}`).toBe(2);
    expect(refused.stderr).toContain(why);
    expect(refused.events.filter((event) => event.kind === 'START')).toEqual([]);
  }

  // kumi up does not upgrade or downgrade a running cluster: the spec at another version than
  // the one kubeadm-config says is refused (exit 2) with the fix, before any step.
  for (const [version, why] of [
    [target, `differs from the cluster's ${from} (kubeadm-config, read on ${controlPlanes[0]}): kumi up builds and grows the cluster at its version and does not upgrade it. Nothing was changed. Fix: upgrade it with \`kumi upgrade ${ctx.specPath}\``],
    [minorPlus(from, -1), `differs from the cluster's ${from} (kubeadm-config, read on ${controlPlanes[0]}): that is a downgrade`],
  ] as const) {
    ctx.editSpec((spec) => void (spec.spec.kubernetes.version = version));
    const refused = await ctx.kumi(['up', ctx.specPath, '--yes', '--json', ...ctx.attachArgs]);
    expect(refused.exitCode, `kumi up at ${version} on a cluster at ${from}:\n${refused.stderr}`).toBe(2);
    expect(refused.stderr).toContain(why);
    expect(refused.events.filter((event) => event.kind === 'START')).toEqual([]);
  }

  ctx.editSpec((spec) => void (spec.spec.kubernetes.version = target));
  // `kumi plan` prints text, not progress events: run it directly.
  const plan = await inCoordinator([process.execPath, ctx.cluster.bundles.kumi, 'plan', '--for', 'upgrade', ctx.specPath], { env: { KUMI_STATE_DIR: ctx.stateDir, NO_COLOR: '1' } });
  expect(plan.exitCode, String(plan.stderr)).toBe(0);
  expect(String(plan.stdout)).toContain('upgrade-first-control-plane/kubeadm.upgrade-apply@');

  const probe = startApiProbe(ctx.vip);
  let measured: ReturnType<ReturnType<typeof startApiProbe>['stop']> | undefined;
  try {
    const crashed = await ctx.kumi(upgrade, {
      timeoutMs: 600_000,
      onEvent: (event, control) => {
        if (event.stage === 'upgrade-control-planes' && event.kind === 'START' && event.step === 'kube.drain') control.kill();
      },
    });
    expect(crashed.killed, `kumi upgrade should have been killed in the middle, but it ended (exit ${crashed.exitCode}):\n${failureSummary(crashed.events, crashed.stderr)}`).toBe(true);
    const resumed = await ctx.kumi(upgrade, { timeoutMs: 900_000 });
    expect(resumed.exitCode, `kumi upgrade after the crash:\n${failureSummary(resumed.events, resumed.stderr)}`).toBe(0);
    // The rerun skipped the first control plane's work: kubeadm upgrade apply ran once, and
    // the upgraded first control plane was not drained again.
    const applied = ctx.runs.flatMap((run) => run.events).filter((event) => event.step === 'kubeadm.upgrade-apply' && event.kind === 'DONE');
    expect(applied).toHaveLength(1);
    const firstDrain = resumed.events.find((event) => event.stage === 'upgrade-first-control-plane' && event.step === 'kube.drain' && ['START', 'SKIPPED'].includes(event.kind));
    expect(firstDrain?.kind, 'the rerun drained the upgraded first control plane again').toBe('SKIPPED');
  } finally {
    measured = probe.stop();
  }

  expect(await kubeletVersions(controlPlanes[0] ?? '')).toEqual(Object.fromEntries(nodes.map((node) => [node, `v${target}`])));
  expect(await apiServerVersions(controlPlanes, address)).toEqual(Object.fromEntries(controlPlanes.map((host) => [host, `v${target}`])));
  const result: UpgradePhaseResult = { from, to: target, longestGapMs: measured.longestGapMs, probes: measured.probes, failedProbes: measured.failed };
  ctx.timings.push(`upgrade ${from} → ${target}: longest API gap through the VIP ${result.longestGapMs} ms (${result.failedProbes} of ${result.probes} probes failed)`);
  return result;
}
