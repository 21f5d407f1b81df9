import { assertBuildReport, checkReportDom, chromiumMissing, keepScreenshot, launchChromium, readReportDom, type TestBrowser } from '@kumi/browser-test';
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { JOURNAL_FILE } from '../../src/journal/journal';
import { buildModel } from '../../src/report/build-model';
import { findSecretShapes as secretShapes } from '../../src/report/secret-shapes';
import { writeReport } from '../../src/report/write-report';
import { renderReportPage } from '../../src/report/render-html';
import { CliError } from '../../src/cli/cli-error';
import { runUp } from '../../src/up/run-up';
import { captureStream, receivedSecrets, SEED_HOSTS, type UpFixture, upFixture, upOptions } from '../helpers/up-fixture';
import { LAB_DEMO_JOURNAL, LAB_DEMO_UP_RUN } from './lab-demo-journal';
import { syntheticJournal } from './synthetic-journal';

// Cost: one headless Chromium (about 2 s to start), three simulated seed builds and a 1,000-host
// page: about 40 s on two busy cores.
const missing = chromiumMissing();
const said = (text: string, what: RegExp) => what.exec(text)?.[1] ?? '';

let browser: TestBrowser | undefined;
let fixture: UpFixture | undefined;
beforeAll(async () => {
  if (!missing) browser = await launchChromium();
}, 90_000);
afterAll(async () => browser?.close());
afterEach(async () => {
  await fixture?.close();
  fixture = undefined;
});

describe.skipIf(missing !== undefined)(`the build's picture in headless Chromium${missing ? ` (skipped: ${missing})` : ''}`, () => {
  it('renders the report `kumi up` wrote of a build whose worker join failed, then of the resume that finished it', async () => {
    fixture = await upFixture();
    const f = fixture;
    f.sim.failOnce.add('worker1/kubeadm.join');
    const first = captureStream();
    await expect(runUp(upOptions(f, { out: first.out }))).rejects.toThrow(/failed/);
    const failedFile = said(first.text(), /report: (\S+\.html)/);
    expect(failedFile).toMatch(/\/reports\/[0-9a-f-]+\.html$/);
    const secrets = receivedSecrets(f.sim);
    expect(secrets.length).toBeGreaterThan(3);

    const failed = await assertBuildReport(browser!.context, failedFile, { hosts: SEED_HOSTS, secrets, secretShapes, screenshot: 'report-failed-build' });
    expect(failed.outcome).toBe('failed');
    expect(failed.hosts).toEqual(SEED_HOSTS.filter((host) => failed.hosts.includes(host)));
    expect(failed.bars.find((bar) => bar.path === 'join-workers/kubeadm.join@worker1')).toMatchObject({ result: 'failed', critical: true });
    expect(failed.bars.filter((bar) => bar.host === 'master1').map((bar) => bar.path)).toContain('init/kubeadm.init@master1');
    expect(failed.problems).toEqual(['join-workers/kubeadm.join@worker1']);
    expect(failed.stderr).toEqual(['E1127 something broke\nfatal: simulated failure']);
    expect(failed.totals.stages).toEqual(expect.arrayContaining(['preflight', 'prepare', 'init', 'join-control-planes', 'join-workers']));

    const second = captureStream();
    await runUp(upOptions(f, { out: second.out }));
    const doneFile = said(second.text(), /report: (\S+\.html)/);
    expect(doneFile).not.toBe(failedFile);
    const done = await assertBuildReport(browser!.context, doneFile, { hosts: ['worker1'], secrets: receivedSecrets(f.sim), secretShapes, screenshot: 'report-resumed-build' });
    expect(done.outcome).toBe('done');
    expect(done.bars.find((bar) => bar.path === 'join-workers/kubeadm.join@worker1')?.result).toBe('done');
    expect(done.problems).toEqual([]);
    expect(browser!.refused).toEqual([]);
  }, 60_000);

  it('follows a build live over server-sent events: the step in flight runs, then the page shows the end without a reload', async () => {
    fixture = await upFixture();
    const f = fixture;
    let reached: () => void = () => undefined;
    const atJoin = new Promise<void>((resolve) => (reached = resolve));
    // worker1's join never answers: the build waits there until its agent goes away.
    f.sim.onRequest = (request) => {
      if (request.dryRun || request.host !== 'worker1' || request.step !== 'kubeadm.join') return undefined;
      reached();
      return 'hang';
    };
    const output = captureStream();
    const build = runUp(upOptions(f, { out: output.out, web: { host: '127.0.0.1', port: 0 }, detachGraceMs: 500 })).catch((error: unknown) => error);
    await atJoin;
    const url = said(output.text(), /live picture of the build: (\S+)/);
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);

    const page = await browser!.context.newPage();
    try {
      await page.goto(url, { waitUntil: 'load' });
      const join = '[data-path="join-workers/kubeadm.join@worker1"]';
      await page.waitForSelector(`${join}[data-result="running"]`, { timeout: 15_000 });
      const during = checkReportDom(await readReportDom(page), await page.content(), { hosts: SEED_HOSTS, secrets: receivedSecrets(f.sim), secretShapes });
      expect(during.live).toBe('open');
      expect(during.outcome).toBe('running');
      expect(during.bars.find((bar) => bar.path === 'init/kubeadm.init@master1')?.result).toBe('done');
      await keepScreenshot(page, 'live-page-during-build');

      f.stopAgents();
      await page.waitForSelector('body[data-live="ended"]', { timeout: 30_000 });
      await page.waitForSelector(`${join}[data-result="failed"]`, { timeout: 5_000 });
      const after = checkReportDom(await readReportDom(page), await page.content(), { hosts: SEED_HOSTS, secrets: receivedSecrets(f.sim), secretShapes });
      expect(after.outcome).toBe('failed');
      // The join's cleanup (its token's delete on master1) found that agent gone too: the ledger keeps the id for the next run.
      expect(after.problems).toEqual(['join-workers/kubeadm.join@worker1', 'join-workers/kubeadm.token-delete@worker1']);
      await keepScreenshot(page, 'live-page-after-build');
    } finally {
      await page.close();
    }
    expect(await build).toBeInstanceOf(CliError);
    expect(output.text()).toMatch(/report: \S+\.html/);
    expect(browser!.refused).toEqual([]);
  }, 90_000);

  it('renders the report of the lab demo\'s real build from its recorded journal', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'kumi-report-lab-'));
    try {
      copyFileSync(LAB_DEMO_JOURNAL, join(folder, JOURNAL_FILE));
      const { file } = writeReport({ dir: folder, cluster: 'seed-ha', run: LAB_DEMO_UP_RUN, open: false, mono: false });
      const dom = await assertBuildReport(browser!.context, file, { hosts: SEED_HOSTS, secretShapes, screenshot: 'report-lab-demo' });
      expect(dom.outcome).toBe('done');
      expect(dom.bars).toHaveLength(49);
      expect(dom.stageBounds).toEqual(['preflight', 'prepare', 'endpoint', 'init', 'pod-network', 'join-control-planes', 'join-workers', 'verify']);
      expect(dom.bars.filter((bar) => bar.critical).map((bar) => bar.path)).toEqual(expect.arrayContaining(['join-control-planes/kubeadm.join@master2', 'join-control-planes/kubeadm.join@master3']));
      expect(dom.bars.find((bar) => bar.path === 'init/kubeadm.init@master1')?.title).toMatch(/^init\/kubeadm\.init@master1: done\n\d+s, from \+/);
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  }, 60_000);

  it('fits 1,000 hosts (every row, elements linear in the steps) and keeps NO_COLOR pages black and white', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'kumi-report-big-'));
    const page = await browser!.context.newPage();
    try {
      const model = buildModel(syntheticJournal({ workers: 997, fail: new Set(['worker500/kubeadm.join']) }), { open: false });
      const big = join(folder, 'big.html');
      writeFileSync(big, renderReportPage(model, { cluster: 'big', mono: false }));
      await page.goto(pathToFileURL(big).href, { waitUntil: 'load', timeout: 60_000 });
      const dom = checkReportDom(await readReportDom(page), await page.content(), { hosts: model.hosts, secretShapes });
      expect(dom.hosts).toHaveLength(1_000);
      expect(dom.bars).toHaveLength(model.bars.length);
      // Linear: a few elements per bar and per host plus a fixed frame, never hosts x steps.
      expect(dom.elements).toBeLessThan(2 * dom.bars.length + 12 * dom.hosts.length + 500);
      await keepScreenshot(page, 'report-1000-hosts', false);

      const small = buildModel(syntheticJournal({ workers: 3, fail: new Set(['worker2/kubeadm.join']) }), { open: false });
      const mono = join(folder, 'mono.html');
      writeFileSync(mono, renderReportPage(small, { cluster: 'mono', mono: true }));
      await page.goto(pathToFileURL(mono).href, { waitUntil: 'load' });
      const style = (selector: string) =>
        page.evaluate(`(() => { const s = getComputedStyle(document.querySelector(${JSON.stringify(selector)})); return [s.backgroundColor, s.backgroundImage, s.outlineStyle].join(' | '); })()`) as Promise<string>;
      expect(await style('.bar.r-done:not(.crit)')).toMatch(/^rgb\(0, 0, 0\) \| none/);
      expect(await style('.bar.r-failed')).toMatch(/repeating-linear-gradient\(45deg, rgb\(0, 0, 0\)/);
      expect(await style('.bar.r-noop')).toMatch(/repeating-linear-gradient\(90deg, rgb\(0, 0, 0\)/);
      expect(await style('.bar.crit')).toMatch(/\| double$/);
      await keepScreenshot(page, 'report-no-color');
    } finally {
      await page.close();
      rmSync(folder, { recursive: true, force: true });
    }
  }, 90_000);
});
