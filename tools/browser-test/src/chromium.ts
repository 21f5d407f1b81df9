import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, chromium } from 'playwright-core';

/** Debian's Chromium (tools/setup.sh installs it); KUMI_CHROMIUM points elsewhere. */
export const CHROMIUM_PATH = process.env.KUMI_CHROMIUM ?? '/usr/bin/chromium';

/** Why browser tests cannot run here, or undefined when they can. */
export function chromiumMissing(): string | undefined {
  return existsSync(CHROMIUM_PATH) ? undefined : `no Chromium at ${CHROMIUM_PATH}: run \`npm run setup\` (installs Debian's chromium) or set KUMI_CHROMIUM`;
}

/**
 * Flags for a quiet, isolated headless Chromium: no GPU, no QUIC, no first-run, no
 * background, component-update or sync traffic. (Headless and no-sandbox are set by the
 * launcher's own options; the sandbox needs user namespaces a root test run lacks.)
 */
const QUIET_FLAGS = ['--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/** Whether a test's page may load url: only file:, data:, about: and loopback http/ws. */
export function allowedUrl(url: string): boolean {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  if (parsed.protocol === 'file:' || parsed.protocol === 'data:' || parsed.protocol === 'about:') return true;
  if (!['http:', 'https:', 'ws:', 'wss:'].includes(parsed.protocol)) return false;
  const host = parsed.hostname.replace(/^\[|\]$/g, '');
  return host === 'localhost' || host === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

/** A headless Chromium with a fresh profile, and the context its pages open in. */
export interface TestBrowser {
  context: BrowserContext;
  /** Every request the pages tried that allowedUrl refused (they were aborted). */
  refused: string[];
  close(): Promise<void>;
}

/**
 * Starts Debian's Chromium headless with a fresh user-data folder (removed on close),
 * and a context that aborts any request outside loopback and files.
 */
export async function launchChromium(): Promise<TestBrowser> {
  const missing = chromiumMissing();
  if (missing) throw new Error(missing);
  const profile = mkdtempSync(join(tmpdir(), 'kumi-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM_PATH,
    headless: true,
    chromiumSandbox: false,
    args: QUIET_FLAGS,
    viewport: { width: 1280, height: 900 },
    timeout: 60_000,
  });
  const refused: string[] = [];
  await context.route('**/*', (route) => {
    const url = route.request().url();
    if (allowedUrl(url)) return route.continue();
    refused.push(url);
    return route.abort('blockedbyclient');
  });
  return {
    context,
    refused,
    async close() {
      await context.close().catch(() => undefined);
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
