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
