import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { runCli } from '../src/cli/run-cli';

const seed = fileURLToPath(new URL('../../../examples/seed-ha.yaml', import.meta.url));

/** Runs `kumi ARGS` in-process, capturing stdout and stderr. */
async function kumi(...args: string[]) {
  let stdout = '';
  let stderr = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => ((stdout += String(chunk)), true));
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => ((stderr += String(chunk)), true));
  const code = await runCli(['node', 'kumi', ...args]);
  vi.restoreAllMocks();
  return { code, stdout, stderr };
}

describe('kumi plan / kumi schema', () => {
  afterEach(() => vi.restoreAllMocks());

  it('prints the plan as JSON with --json, selected by --only and --skip', async () => {
    const { code, stdout } = await kumi('plan', seed, '--json', '--only', 'prepare@lb1', '--skip', 'prepare/firewall');
    expect(code).toBe(0);
    const plan = JSON.parse(stdout) as { stages: Array<{ id: string; entries: Array<{ path: string }> }> };
    expect(plan.stages.flatMap((stage) => stage.entries.map((entry) => entry.path))).toEqual(['prepare/lb.haproxy@lb1', 'prepare/lb.keepalived@lb1']);
  });

  it('prints the reset plan with --for reset: workers, control planes in reverse, load balancers last; --host narrows it', async () => {
    const { code, stdout } = await kumi('plan', seed, '--for', 'reset');
    expect(code).toBe(0);
    expect(stdout).toMatch(/^Plan of kumi reset for cluster seed-ha: 4 stages, 8 host steps/);
    expect(stdout).toMatch(/reset-workers: .*at most 5 host\(s\) at a time; a failed host does not stop the others/);
    const paths = stdout.split('\n').filter((line) => line.startsWith('  ') && line.includes('/')).map((line) => line.trim().split(/\s+/).at(-1));
    expect(paths).toEqual([
      'reset-workers/kubeadm.reset@worker1',
      'reset-control-planes/kubeadm.reset@master3',
      'reset-control-planes/kubeadm.reset@master2',
      'reset-control-planes/kubeadm.reset@master1',
      'reset-load-balancers/lb.keepalived@lb1',
      'reset-load-balancers/lb.haproxy@lb1',
      'reset-load-balancers/lb.keepalived@lb2',
      'reset-load-balancers/lb.haproxy@lb2',
    ]);
    const one = await kumi('plan', seed, '--for', 'reset', '--host', 'master2', '--json');
    const plan = JSON.parse(one.stdout) as { workflow: string; stages: Array<{ entries: Array<{ path: string }> }> };
    expect(plan.workflow).toBe('reset');
    expect(plan.stages.flatMap((stage) => stage.entries.map((entry) => entry.path))).toEqual(['reset-control-planes/kubeadm.reset@master2']);
    expect((await kumi('plan', seed, '--for', 'downgrade')).code).toBe(2);
  });

  it('prints the upgrade plan with --for upgrade: the gate, kubeadm everywhere, apply, the others one at a time, the workers', async () => {
    const { code, stdout } = await kumi('plan', seed, '--for', 'upgrade');
    expect(code).toBe(0);
    expect(stdout).toMatch(/^Plan of kumi upgrade for cluster seed-ha: 6 stages, 21 host steps/);
    expect(stdout).toContain('upgrade-gate/kubeadm.upgrade-plan@master1');
    expect(stdout).toMatch(/upgrade-workers\/kube\.drain@worker1  on master1\n/);
  });

  it('exits 2 naming the valid paths when --only matches nothing', async () => {
    const { code, stdout, stderr } = await kumi('plan', seed, '--only', 'join/kubeadm.join');
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toMatch(/"join\/kubeadm\.join" matches nothing in this plan \(valid paths: attach, preflight\/preflight/);
  });

  it('exits 2 for a missing spec file', async () => {
    const { code, stderr } = await kumi('plan', '/nonexistent/spec.yaml');
    expect(code).toBe(2);
    expect(stderr).toMatch(/cannot read the spec file \(ENOENT\)/);
  });

  it('prints the JSON Schema', async () => {
    const { code, stdout } = await kumi('schema');
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toMatchObject({ title: 'kumi Cluster', properties: { apiVersion: { const: 'kumi.dev/v1alpha1' } } });
  });
});
