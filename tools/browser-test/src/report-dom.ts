import { mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Page } from 'playwright-core';
import { launchChromium } from './chromium';

/** What the rendered report shows, read from the browser's DOM (not from the HTML text). */
export interface ReportDom {
  title: string;
  outcome: string;
  /** Row order, one per host. */
  hosts: string[];
  bars: Array<{ host: string; path: string; result: string; critical: boolean; title: string; widthPx: number }>;
  /** Paths of the failures section. */
  problems: string[];
  /** The stderr tails shown. */
  stderr: string[];
  stageBounds: string[];
  criticalList: string[];
  /** Header cells of the two totals tables' rows (stages, then hosts). */
  totals: { stages: string[]; hosts: string[] };
  legend: string[];
  /** Whether the page follows a live build (and, when it did, whether that ended). */
  live?: string;
  /** Number of elements in the document. */
  elements: number;
}

/** Runs in the page (as source text: the project's type checks know no DOM). */
const READ_DOM = `(() => {
  const all = (selector, root = document) => Array.from(root.querySelectorAll(selector));
  const rows = all('.row');
  return {
    title: document.title,
    outcome: document.querySelector('[data-outcome]')?.getAttribute('data-outcome') ?? '',
    hosts: rows.map((row) => row.getAttribute('data-host')),
    bars: rows.flatMap((row) => all('.bar', row).map((bar) => ({
      host: row.getAttribute('data-host'),
      path: bar.getAttribute('data-path'),
      result: bar.getAttribute('data-result'),
      critical: bar.classList.contains('crit') && bar.getAttribute('data-critical') === 'true',
      title: bar.getAttribute('title') ?? '',
      widthPx: bar.getBoundingClientRect().width,
    }))),
    problems: all('.problem').map((node) => node.getAttribute('data-path')),
    stderr: all('pre.stderr').map((node) => node.textContent),
    stageBounds: all('.bound').map((node) => node.getAttribute('data-stage')),
    criticalList: all('ol.path li').map((node) => node.getAttribute('data-path')),
    totals: {
      stages: all('#h-stages + table th[scope=row]').map((node) => node.textContent),
      hosts: all('#h-hosts + table th[scope=row]').map((node) => node.textContent),
    },
    legend: all('.legend li').map((node) => node.textContent),
    live: document.body.getAttribute('data-live') ?? undefined,
    elements: document.getElementsByTagName('*').length,
  };
})()`;

/** Reads the report shown in page. */
export async function readReportDom(page: Page): Promise<ReportDom> {
  return (await page.evaluate(READ_DOM)) as ReportDom;
}

/** The repository's dist/test-artifacts folder (gitignored), where screenshots go. */
export function artifactsDir(): string {
  return resolve(dirname(fileURLToPath(import.meta.url)), '../../../dist/test-artifacts');
}

/** Saves a screenshot (the full page unless told) under dist/test-artifacts/<name>.png and returns its path. */
export async function keepScreenshot(page: Page, name: string, fullPage = true): Promise<string> {
  const file = join(artifactsDir(), `${name}.png`);
  mkdirSync(dirname(file), { recursive: true });
  await page.screenshot({ path: file, fullPage });
  return file;
}

/** What a report must show. */
export interface ExpectedReport {
  /** Every host of the build, each with a row and at least one bar. */
  hosts: readonly string[];
  /** Secret values that must not appear (besides any secret-shaped string). */
  secrets?: readonly string[];
  /** Finds secret-shaped strings: the coordinator's findSecretShapes (passed in, so this package needs no coordinator). */
  secretShapes(text: string): string[];
}

/**
 * Checks a rendered report: a row per expected host, each with bars whose results are
 * known, a marked critical path that the list repeats, a stage boundary per stage, totals
 * for every host, a failure entry per failed bar, and no secret in the page's text or
 * HTML. Throws an Error saying what is wrong; returns what it read.
 */
export function checkReportDom(dom: ReportDom, html: string, expected: ExpectedReport): ReportDom {
  const problems: string[] = [];
  const missingHosts = expected.hosts.filter((host) => !dom.hosts.includes(host));
  if (missingHosts.length) problems.push(`no row for host(s) ${missingHosts.join(', ')}`);
  const bare = dom.hosts.filter((host) => !dom.bars.some((bar) => bar.host === host));
  if (bare.length) problems.push(`host(s) without a step: ${bare.join(', ')}`);
  const known = new Set(['done', 'noop', 'failed', 'interrupted', 'running', 'planned']);
  const odd = dom.bars.filter((bar) => !known.has(bar.result) || !bar.path.endsWith(`@${bar.host}`) || !bar.title.startsWith(bar.path));
  if (odd.length) problems.push(`bars with an unknown result, a foreign host or no title: ${odd.map((bar) => bar.path).join(', ')}`);
  const invisible = dom.bars.filter((bar) => bar.widthPx < 2);
  if (invisible.length) problems.push(`bars narrower than 2 px: ${invisible.length}`);
  const critical = dom.bars.filter((bar) => bar.critical).map((bar) => bar.path);
  if (critical.length === 0) problems.push('no bar is marked as on the critical path');
  if ([...critical].sort().join() !== [...dom.criticalList].sort().join()) problems.push('the critical path list differs from the marked bars');
  const stages = new Set(dom.bars.map((bar) => bar.path.split('/')[0]));
  if (dom.stageBounds.length !== stages.size || dom.stageBounds.some((stage) => !stages.has(stage))) problems.push(`stage boundaries ${dom.stageBounds.join(', ')} do not match the stages ${[...stages].join(', ')}`);
  if (dom.totals.hosts.join() !== dom.hosts.join()) problems.push('the per-host totals do not list every host in row order');
  const failed = dom.bars.filter((bar) => bar.result === 'failed' || bar.result === 'interrupted').map((bar) => bar.path);
  if ([...failed].sort().join() !== [...dom.problems].sort().join()) problems.push(`failures listed (${dom.problems.join(', ')}) differ from failed bars (${failed.join(', ')})`);
  if (dom.legend.length < 6) problems.push('the legend does not name every result');
  const shapes = expected.secretShapes(html);
  if (shapes.length) problems.push(`${shapes.length} secret-shaped string(s) in the page`);
  const leaked = (expected.secrets ?? []).filter((secret) => html.includes(secret));
  if (leaked.length) problems.push(`${leaked.length} known secret value(s) in the page`);
  if (problems.length) throw new Error(`the build report is not right: ${problems.join('; ')}`);
  return dom;
}

/**
 * For a lab build: opens the report file (or the live page URL) in the browser's context,
 * checks it (checkReportDom) and keeps a screenshot named `name` under dist/test-artifacts.
 */
export async function assertBuildReport(
  context: { newPage(): Promise<Page> },
  target: string,
  expected: ExpectedReport & { screenshot: string },
): Promise<ReportDom & { screenshotFile: string }> {
  const page = await context.newPage();
  try {
    await page.goto(/^https?:/.test(target) ? target : pathToFileURL(target).href, { waitUntil: 'load', timeout: 30_000 });
    const dom = checkReportDom(await readReportDom(page), await page.content(), expected);
    return { ...dom, screenshotFile: await keepScreenshot(page, expected.screenshot) };
  } finally {
    await page.close();
  }
}

/**
 * One call for a lab end-to-end test: opens the report file (or live page URL) in a fresh
 * headless Chromium, checks it (checkReportDom), keeps a screenshot named `screenshot`
 * under dist/test-artifacts and closes the browser. Also fails if the page tried to load
 * anything outside loopback and files.
 */
export async function assertReportInChromium(target: string, expected: ExpectedReport & { screenshot: string }): Promise<ReportDom & { screenshotFile: string }> {
  const browser = await launchChromium();
  try {
    const dom = await assertBuildReport(browser.context, target, expected);
    if (browser.refused.length) throw new Error(`the build report tried to load ${browser.refused.length} URL(s) outside loopback: ${browser.refused.join(', ')}`);
    return dom;
  } finally {
    await browser.close();
  }
}
