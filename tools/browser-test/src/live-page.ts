import type { Page } from 'playwright-core';
import { keepScreenshot, readReportDom, type ReportDom } from './report-dom';

/** A server-sent event the page received, as its own script got it. */
export interface LiveEvent {
  kind: 'report' | 'end';
  data: string;
}

/** What a headless Chromium saw while it followed a live page from the build's start to its end. */
export interface LiveFollow {
  /** The HTML the server sent for GET / (before any update). */
  servedHtml: string;
  /** The page once the first update arrived. */
  first: ReportDom;
  /** The page after it updated itself with more finished steps than `first` (or, if the build ended first, at the end). */
  during: ReportDom;
  duringHtml: string;
  /** The page after the `end` event. */
  final: ReportDom;
  finalHtml: string;
  /** Every `report` and `end` event, in order. */
  events: LiveEvent[];
  /** Main-frame navigations after the first load: a live page updates without one. */
  reloads: number;
  /** Screenshots kept under dist/test-artifacts: during the build, then after it. */
  screenshots: string[];
}

/**
 * Runs in the page before its own script: wraps EventSource so every `report` and `end`
 * event the page's script receives is also kept in window.__kumiEvents.
 */
const RECORD_EVENTS = `(() => {
  const Original = window.EventSource;
  window.__kumiEvents = [];
  window.EventSource = class extends Original {
    constructor(url, init) {
      super(url, init);
      for (const kind of ['report', 'end']) this.addEventListener(kind, (event) => window.__kumiEvents.push({ kind, data: event.data }));
    }
  };
})()`;

/**
 * Waits until expression (source text, run in the page) is true, asking every 250 ms. Not
 * page.waitForFunction: it compiles its predicate with eval, which the live page's content
 * security policy forbids; page.evaluate is not subject to it.
 */
async function waitInPage(page: Page, expression: string, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await page.evaluate(expression))) {
    if (Date.now() > deadline) throw new Error(`the live page: ${what} within ${Math.round(timeoutMs / 1000)} s`);
    await new Promise((done) => setTimeout(done, 250));
  }
}

const FINISHED_BARS = '.bar[data-result="done"], .bar[data-result="noop"], .bar[data-result="failed"]';
const finishedIn = (dom: ReportDom) => dom.bars.filter((bar) => bar.result === 'done' || bar.result === 'noop' || bar.result === 'failed').length;

/**
 * Opens a live page (`kumi up --web`) while its build runs and follows it to the end: reads
 * the DOM at the first update, again once later updates finished more steps without a
 * reload, and after the `end` event, keeping a screenshot named `<screenshot>-during` and
 * `<screenshot>-after`. Throws when the page does not load, never updates, or the build
 * does not end within endTimeoutMs.
 */
export async function followLivePage(context: { newPage(): Promise<Page> }, url: string, options: { screenshot: string; endTimeoutMs: number }): Promise<LiveFollow> {
  const page = await context.newPage();
  try {
    await page.addInitScript(RECORD_EVENTS);
    let navigations = 0;
    page.on('framenavigated', (frame) => {
      if (frame === page.mainFrame()) navigations += 1;
    });
    const response = await page.goto(url, { waitUntil: 'load', timeout: 30_000 });
    if (!response?.ok()) throw new Error(`the live page ${url} answered ${response?.status() ?? 'nothing'}`);
    const servedHtml = await response.text();
    await waitInPage(page, 'window.__kumiEvents.length > 0', 30_000, 'no server-sent event arrived');
    const first = await readReportDom(page);
    const more = `(() => {
      const reports = window.__kumiEvents.filter((event) => event.kind === 'report').length;
      const finished = document.querySelectorAll(${JSON.stringify(FINISHED_BARS)}).length;
      return document.body.getAttribute('data-live') === 'ended' || (reports >= 2 && finished > ${finishedIn(first)});
    })()`;
    await waitInPage(page, more, options.endTimeoutMs, 'no later update finished more steps');
    const during = await readReportDom(page);
    const duringHtml = await page.content();
    const screenshots = [await keepScreenshot(page, `${options.screenshot}-during`)];
    await page.waitForSelector('body[data-live="ended"]', { state: 'attached', timeout: options.endTimeoutMs });
    const final = await readReportDom(page);
    const finalHtml = await page.content();
    screenshots.push(await keepScreenshot(page, `${options.screenshot}-after`));
    const events = (await page.evaluate('window.__kumiEvents')) as LiveEvent[];
    return { servedHtml, first, during, duringHtml, final, finalHtml, events, reloads: navigations - 1, screenshots };
  } finally {
    await page.close();
  }
}
