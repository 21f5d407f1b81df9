// The live page of a lab build in a real browser: `kumi up --web 127.0.0.1:0` serves it on the
// loopback of the lab switch's network namespace, where kumi runs (192.0.2.1), which the
// machine's own loopback does not reach. So headless Chromium is started in that namespace
// too (launchChromium's netnsOfPid: nsenter -n), opens the page as soon as kumi announces it
// and follows it to the build's end.
import { checkReportDom, chromiumMissing, followLivePage, launchChromium, type LiveFollow, type TestBrowser } from '@kumi/browser-test';
import { existsSync } from 'node:fs';
import { expect } from 'vitest';
import { findSecretShapes } from '../../../../apps/coordinator/src/report/secret-shapes';
import { readLabState } from '../../src/lab-state';
import type { ProgressRecord } from '../../src/e2e/progress-records';

/** What `kumi up` gets to serve its live page: any free port on the namespace's loopback. */
export const LIVE_PAGE_ARGS = ['--web', '127.0.0.1:0'];
/** How kumi announces the page (a PROGRESS event of the run). */
const ANNOUNCED = /^live picture of the build: (http:\/\/127\.0\.0\.1:\d+\/)$/;

/** Why the live page cannot be followed here, or undefined when it can. */
export const livePageSkip = chromiumMissing;

/** Follows one run's live page in Chromium; feed it the run's events. */
export class LivePageWatch {
  #follow: Promise<LiveFollow> | undefined;
  #browser: TestBrowser | undefined;
  readonly #endTimeoutMs: number;

  constructor(endTimeoutMs: number) {
    this.#endTimeoutMs = endTimeoutMs;
  }

  /** Starts following at the event that announces the page (once). */
  onEvent(event: ProgressRecord): void {
    const url = event.kind === 'PROGRESS' ? ANNOUNCED.exec(event.text ?? '')?.[1] : undefined;
    if (!url || this.#follow) return;
    this.#follow = this.#run(url);
    this.#follow.catch(() => undefined); // result() reports it
  }

  async #run(url: string): Promise<LiveFollow> {
    const pid = readLabState()?.switch?.pid;
    if (!pid) throw new Error('no lab switch namespace to open the live page in');
    this.#browser = await launchChromium({ netnsOfPid: pid });
    try {
      const follow = await followLivePage(this.#browser.context, url, { screenshot: 'lab-live-page', endTimeoutMs: this.#endTimeoutMs });
      if (this.#browser.refused.length) throw new Error(`the live page tried to load URL(s) outside loopback: ${this.#browser.refused.join(', ')}`);
      return follow;
    } finally {
      await this.close();
    }
  }

  /** What the browser saw; throws if kumi never announced the page or following it failed. */
  result(): Promise<LiveFollow> {
    return this.#follow ?? Promise.reject(new Error('kumi up never announced its live page ("live picture of the build: URL")'));
  }

  /** Everything the page was sent or showed, as [name, text] pairs for a leak scan. */
  async texts(): Promise<Array<[string, string]>> {
    const seen = await this.result();
    return [
      ['live page: HTML served', seen.servedHtml],
      ['live page: DOM during the build', seen.duringHtml],
      ['live page: DOM after the build', seen.finalHtml],
      ...seen.events.map((event, index): [string, string] => [`live page: server-sent event ${index} (${event.kind})`, event.data]),
    ];
  }

  /** Closes the browser if it is still open (a test's afterAll). */
  async close(): Promise<void> {
    const browser = this.#browser;
    this.#browser = undefined;
    await browser?.close();
  }
}

/**
 * What Chromium must have seen of a build that succeeded: the page open and running at the
 * first update, more steps finished by later updates without a reload, a row and bars for
 * every host, and after the `end` event the whole build done, with no secret-shaped string
 * in the served HTML, any event or the DOM at any point.
 */
export function expectLivePageOfBuild(seen: LiveFollow, hosts: readonly string[], checkpoints: readonly string[]): void {
  // Soft: one run of the lab build reports every difference at once.
  const finished = (dom: LiveFollow['first']) => dom.bars.filter((bar) => bar.result === 'done' || bar.result === 'noop').length;
  expect.soft(seen.servedHtml).toContain('data-live="open"');
  expect.soft(seen.first.live).toBe('open');
  // The page may open before the journal has the run's first step.
  expect.soft(['empty', 'running']).toContain(seen.first.outcome);
  expect.soft(seen.during.live, 'the build ended before the page showed a second update').toBe('open');
  expect.soft(seen.during.outcome).toBe('running');
  expect.soft(finished(seen.during)).toBeGreaterThan(finished(seen.first));
  expect.soft(() => checkReportDom(seen.during, seen.duringHtml, { hosts: seen.during.hosts, secretShapes: findSecretShapes })).not.toThrow();
  expect.soft(seen.reloads).toBe(0);
  const kinds = seen.events.map((event) => event.kind);
  expect.soft(kinds.filter((kind) => kind === 'report').length).toBeGreaterThanOrEqual(3);
  expect.soft(kinds.at(-1)).toBe('end');
  expect.soft(() => checkReportDom(seen.final, seen.finalHtml, { hosts, secretShapes: findSecretShapes })).not.toThrow();
  expect.soft(seen.final).toMatchObject({ live: 'ended', outcome: 'done', problems: [] });
  expect.soft([...seen.final.hosts].sort()).toEqual([...hosts].sort());
  for (const path of checkpoints) expect.soft(seen.final.bars.find((bar) => bar.path === path)?.result, path).toBe('done');
  const shaped = [seen.servedHtml, ...seen.events.map((event) => event.data)].flatMap((text) => findSecretShapes(text));
  expect.soft(shaped).toEqual([]);
  expect.soft(seen.screenshots.every((file) => existsSync(file))).toBe(true);
}
