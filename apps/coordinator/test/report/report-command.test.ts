import { appendFileSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { runCli } from '../../src/cli/run-cli';
import { JOURNAL_FILE } from '../../src/journal/journal';
import { initCluster } from '../../src/state/cluster-init';
import type { BuildModel } from '../../src/report/build-model';
import { SEED_HOSTS, SEED_SPEC } from '../helpers/up-fixture';
import { syntheticJournal } from './synthetic-journal';

/** Runs `kumi ARGS` in-process, capturing stdout and stderr. */
async function kumi(env: Record<string, string>, ...args: string[]) {
  let stdout = '';
  let stderr = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => ((stdout += String(chunk)), true));
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => ((stderr += String(chunk)), true));
  for (const [name, value] of Object.entries(env)) vi.stubEnv(name, value);
  try {
    return { code: await runCli(['node', 'kumi', ...args]), stdout, stderr };
  } finally {
    vi.restoreAllMocks();
    vi.unstubAllEnvs();
  }
}

let root: string;
let dir: string;
beforeEach(async () => {
  root = mkdtempSync(join(tmpdir(), 'kumi-report-cmd-'));
  dir = join(root, 'state');
  await initCluster({ name: 'lab-ha', dir, addresses: ['127.0.0.1'], port: 7443, listenHost: '127.0.0.1' });
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

describe('kumi report', () => {
  it('writes reports/<run>.html in the cluster folder from its journal and says where', async () => {
    const records = [...syntheticJournal({ workers: 2, run: 'older' }), ...syntheticJournal({ workers: 2, run: 'latest', fail: new Set(['worker2/kubeadm.join']) })];
    appendFileSync(join(dir, JOURNAL_FILE), records.map((record) => `${JSON.stringify(record)}\n`).join(''));
    const { code, stdout } = await kumi({}, 'report', '--state-dir', dir);
    expect(code).toBe(0);
    const file = join(dir, 'reports', 'latest.html');
    expect(stdout).toBe(`report: ${file} (failed, 5 host(s), 35 step(s))\n`);
    const html = readFileSync(file, 'utf8');
    expect(html).toContain('kumi build of cluster “lab-ha”');
    expect(html).toContain('<body>');

    const picked = await kumi({ NO_COLOR: '1' }, 'report', '--state-dir', dir, '--run', 'older', '--out', join(root, 'older.html'), '--json');
    expect(picked.code).toBe(0);
    const data = JSON.parse(picked.stdout) as { file: string; run: string; outcome: string; critical: number[] };
    expect(data).toMatchObject({ file: join(root, 'older.html'), run: 'older', outcome: 'done' });
    expect(data.critical.length).toBeGreaterThan(3);
    expect(readFileSync(join(root, 'older.html'), 'utf8')).toContain('<body class="mono">');
  });

  it('pictures a dry run of a spec: every entry planned, laid out as the scheduler runs it', async () => {
    const out = join(root, 'plan.html');
    const { code, stdout } = await kumi({}, 'report', '--plan', SEED_SPEC, '--out', out, '--json');
    expect(code).toBe(0);
    const model = JSON.parse(stdout) as BuildModel & { file: string };
    expect(model.file).toBe(out);
    expect(model.outcome).toBe('planned');
    expect(new Set(model.bars.map((bar) => bar.result))).toEqual(new Set(['planned']));
    expect(model.hosts).toEqual(SEED_HOSTS);
    // Control planes join one at a time: master3's lane (its upload first) starts when master2's ended.
    const bar = (path: string) => model.bars.find((candidate) => candidate.path === path)!;
    const master2 = model.bars.filter((candidate) => candidate.stage === 'join-control-planes' && candidate.host === 'master2');
    expect(bar('join-control-planes/kubeadm.upload-certs@master3').startMs).toBe(Math.max(...master2.map((candidate) => candidate.endMs)));
    expect(model.critical.map((id) => model.bars[id]!.path)).toEqual(expect.arrayContaining(['join-control-planes/kubeadm.join@master2', 'join-control-planes/kubeadm.join@master3']));
    const html = readFileSync(out, 'utf8');
    expect(html).toMatch(/data-result="planned"/);
    expect(html).toContain('every step counts as one');
  });

  it('refuses a run the journal does not have, naming what to do', async () => {
    const { code, stderr } = await kumi({}, 'report', '--state-dir', dir, '--run', 'nope', '--out', join(root, 'x.html'));
    expect(code).toBe(2);
    expect(stderr).toMatch(/no run "nope" in the journal: .*leave --run out/);
    expect(existsSync(join(root, 'x.html'))).toBe(false);
  });
});
