import { assertBuildReport, checkReportDom, chromiumMissing, keepScreenshot, launchChromium, readReportDom, type TestBrowser } from '@kumi/browser-test';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CliError } from '../../src/cli/cli-error';
import { runUp } from '../../src/up/run-up';
import { captureStream, receivedSecrets, SEED_HOSTS, type UpFixture, upFixture, upOptions } from '../helpers/up-fixture';

// Cost: one headless Chromium (about 2 s to start) and three simulated seed builds, ~15 s.
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

    const failed = await assertBuildReport(browser!.context, failedFile, { hosts: SEED_HOSTS, secrets, screenshot: 'report-failed-build' });
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
    const done = await assertBuildReport(browser!.context, doneFile, { hosts: ['worker1'], secrets: receivedSecrets(f.sim), screenshot: 'report-resumed-build' });
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
      const during = checkReportDom(await readReportDom(page), await page.content(), { hosts: SEED_HOSTS, secrets: receivedSecrets(f.sim) });
      expect(during.live).toBe('open');
      expect(during.outcome).toBe('running');
      expect(during.bars.find((bar) => bar.path === 'init/kubeadm.init@master1')?.result).toBe('done');
      await keepScreenshot(page, 'live-page-during-build');

      f.stopAgents();
      await page.waitForSelector('body[data-live="ended"]', { timeout: 30_000 });
      await page.waitForSelector(`${join}[data-result="failed"]`, { timeout: 5_000 });
      const after = checkReportDom(await readReportDom(page), await page.content(), { hosts: SEED_HOSTS, secrets: receivedSecrets(f.sim) });
      expect(after.outcome).toBe('failed');
      expect(after.problems).toEqual(['join-workers/kubeadm.join@worker1']);
      await keepScreenshot(page, 'live-page-after-build');
    } finally {
      await page.close();
    }
    expect(await build).toBeInstanceOf(CliError);
    expect(output.text()).toMatch(/report: \S+\.html/);
    expect(browser!.refused).toEqual([]);
  }, 90_000);
});
