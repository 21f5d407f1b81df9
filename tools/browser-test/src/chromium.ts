import { chmodSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
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

/** Options of launchChromium. */
export interface LaunchOptions {
  /**
   * Run Chromium in the network namespace of this process (e.g. the lab's switch, where a lab
   * build's `kumi up --web 127.0.0.1:PORT` listens): its loopback is then that namespace's.
   */
  netnsOfPid?: number;
}

/**
 * The executable playwright starts: Chromium itself, or a script in `folder` that execs it
 * through `nsenter -n` into another network namespace. nsenter execs in place, so the pipes
 * playwright talks to Chromium over (file descriptors 3 and 4) stay Chromium's.
 */
function chromiumExecutable(folder: string, options: LaunchOptions): string {
  if (options.netnsOfPid === undefined) return CHROMIUM_PATH;
  if (!Number.isInteger(options.netnsOfPid) || options.netnsOfPid <= 0) throw new Error(`netnsOfPid must be a process id, got ${options.netnsOfPid}`);
  const script = join(folder, 'chromium-in-netns');
  writeFileSync(script, `#!/bin/sh\nexec nsenter -t ${options.netnsOfPid} -n -- ${JSON.stringify(CHROMIUM_PATH)} "$@"\n`);
  chmodSync(script, 0o700);
  return script;
}

/**
 * Starts Debian's Chromium headless with a fresh user-data folder (removed on close),
 * and a context that aborts any request outside loopback and files.
 */
export async function launchChromium(options: LaunchOptions = {}): Promise<TestBrowser> {
  const missing = chromiumMissing();
  if (missing) throw new Error(missing);
  const folder = mkdtempSync(join(tmpdir(), 'kumi-chromium-'));
  const profile = join(folder, 'profile');
  const context = await chromium
    .launchPersistentContext(profile, {
      executablePath: chromiumExecutable(folder, options),
      headless: true,
      chromiumSandbox: false,
      args: QUIET_FLAGS,
      viewport: { width: 1280, height: 900 },
      timeout: 60_000,
    })
    .catch((error: unknown) => {
      rmSync(folder, { recursive: true, force: true });
      throw error;
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
      rmSync(folder, { recursive: true, force: true });
    },
  };
}
