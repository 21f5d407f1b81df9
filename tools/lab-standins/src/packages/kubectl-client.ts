import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/**
 * Which kubectl the lab's `kubectl` package installs. A real host gets Google's kubectl
 * build from pkgs.k8s.io; this machine has real kubectl builds of several minors
 * (/usr/lib/google-cloud-sdk/bin/kubectl.1.27 … kubectl.1.33), so the lab installs the one
 * of the cluster's minor, or the nearest within kubectl's version skew (one minor older or
 * newer than the API server: kubernetes.io/releases/version-skew-policy/#kubectl), newer
 * first. Only when none fits, or KUMI_LAB_KUBECTL=standin, the stand-in kubectl
 * (tools/lab-standins/src/kubectl) is installed. The choice is made explicit: the lab
 * build says which mode it runs in, and /usr/bin/kubectl in a host is a symlink to the
 * binary that runs (`readlink /usr/bin/kubectl`).
 */

/** Where the machine's real kubectl builds live. */
export const REAL_KUBECTL_DIR = '/usr/lib/google-cloud-sdk/bin';

/** KUMI_LAB_KUBECTL: `real` (the default) or `standin`. */
export type KubectlMode = 'real' | 'standin';

/** The mode from KUMI_LAB_KUBECTL; a clear error for anything else. */
export function kubectlMode(value: string | undefined): KubectlMode {
  if (value === undefined || value === '' || value === 'real') return 'real';
  if (value === 'standin') return 'standin';
  throw new Error(`KUMI_LAB_KUBECTL=${value} is not a kubectl mode: use "real" (the machine's kubectl of the cluster's minor, the default) or "standin" (the lab's stand-in kubectl)`);
}

/** Minors of the real kubectl builds in `dir` (kubectl.1.NN files). */
export function realKubectlMinors(dir = REAL_KUBECTL_DIR): number[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .map((f) => /^kubectl\.1\.(\d+)$/.exec(f)?.[1])
    .filter((m): m is string => m !== undefined)
    .map(Number)
    .sort((a, b) => a - b);
}

/** The real kubectl for a cluster of minor `minor` (exact, then +1, then -1), or undefined. */
export function realKubectlFor(minor: number, dir = REAL_KUBECTL_DIR): string | undefined {
  const have = new Set(realKubectlMinors(dir));
  const pick = [minor, minor + 1, minor - 1].find((m) => have.has(m));
  return pick === undefined ? undefined : path.join(dir, `kubectl.1.${pick}`);
}

/** The minor of a package version such as 1.34.2-1.1 or 1.34.2-150500.1.1. */
export function packageMinor(version: string): number | undefined {
  const m = /^(?:\d+:)?1\.(\d+)\./.exec(version);
  return m?.[1] === undefined ? undefined : Number(m[1]);
}

/** The lab dir file recording the mode the lab was built with. */
export function kubectlModeFile(packagesDir: string): string {
  return path.join(packagesDir, 'kubectl-client.json');
}

/** Records the mode at lab build (from KUMI_LAB_KUBECTL); a bad value throws before anything is built. */
export function recordKubectlMode(packagesDir: string, env: string | undefined): void {
  writeFileSync(kubectlModeFile(packagesDir), `${JSON.stringify({ mode: kubectlMode(env) })}\n`);
}

/** One line saying what the lab's kubectl will be, for the lab's log. */
export function describeKubectlMode(env: string | undefined, dir = REAL_KUBECTL_DIR): string {
  const minors = realKubectlMinors(dir);
  if (kubectlMode(env) === 'standin') return 'kubectl: the stand-in (KUMI_LAB_KUBECTL=standin)';
  if (minors.length === 0) return `kubectl: the stand-in (no real kubectl.1.NN in ${dir})`;
  return `kubectl: the real kubectl of the cluster's minor ±1 (1.${minors[0]}…1.${minors[minors.length - 1]} in ${dir}), else the stand-in`;
}

/**
 * The binary the kubectl package installs as /usr/bin/kubectl for a package version: the
 * real one when the lab runs in real mode and one fits, else `standin`.
 */
export function kubectlBinary(packagesDir: string, version: string, standin: string, dir = REAL_KUBECTL_DIR): string {
  let mode: KubectlMode = 'real';
  try {
    mode = kubectlMode((JSON.parse(readFileSync(kubectlModeFile(packagesDir), 'utf8')) as { mode?: string }).mode);
  } catch {
    // a lab built before the mode file existed: real where present, the default
  }
  const minor = packageMinor(version);
  const real = mode === 'real' && minor !== undefined ? realKubectlFor(minor, dir) : undefined;
  return real ?? standin;
}
