import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { beforeAll, describe, expect, it } from 'vitest';
import { MODULES_LOAD_CONTENT } from '../steps/kernel-modules/kernel-modules';
import { SYSCTL_CONF_CONTENT } from '../steps/sysctl-kubernetes/sysctl-kubernetes';

// The steps against the real root "/", made safe by a throwaway network namespace (its
// own sysctls) and mount namespace (tmpfs over the folders written). Both end with the
// child process, also when it fails.

const script = fileURLToPath(new URL('../testing/root-namespace-script.ts', import.meta.url));
const namespaced = ['--net', '--mount', '--propagation', 'private', '--'];
let canUnshare = false;

beforeAll(async () => {
  const probe = await execa('unshare', [...namespaced, 'true'], { reject: false });
  canUnshare = probe.exitCode === 0;
});

describe('steps against root "/" in throwaway namespaces', () => {
  it('kernel.modules and sysctl.kubernetes apply, persist, then no-op; the host is untouched', async (context) => {
    if (!canUnshare) context.skip();
    const hostForward = readFileSync('/proc/sys/net/ipv4/ip_forward', 'utf8');
    const child = await execa('unshare', [...namespaced, process.execPath, '--import', 'tsx', script], {
      reject: false,
      timeout: 60_000,
      // `--import tsx` resolves from the working folder: the package's, wherever vitest started.
      cwd: fileURLToPath(new URL('../..', import.meta.url)),
    });
    expect(child.stderr).toBe('');
    expect(child.exitCode).toBe(0);
    const report = JSON.parse(child.stdout) as {
      results: Record<string, { status: string }[]>;
      spawned: string[][];
      runtime: Record<string, string>;
      files: Record<string, string>;
    };
    expect(report.results['sysctl.kubernetes']?.map((outcome) => outcome.status)).toEqual(['done', 'noop']);
    const modules = report.results['kernel.modules']?.map((outcome) => outcome.status);
    if (modules?.[0]?.startsWith('skipped')) expect(report.files.modules).toBeUndefined();
    else expect(modules?.[1]).toBe('noop');
    expect(report.runtime).toEqual({ ipForward: '1\n', bridgeIptables: '1\n', bridgeIp6tables: '1\n' });
    expect(report.files.sysctl).toBe(SYSCTL_CONF_CONTENT);
    if (report.files.modules !== undefined) expect(report.files.modules).toBe(MODULES_LOAD_CONTENT);
    expect(report.spawned).toEqual([]);

    expect(readFileSync('/proc/sys/net/ipv4/ip_forward', 'utf8')).toBe(hostForward);
    expect(existsSync('/etc/sysctl.d/kumi-kubernetes.conf')).toBe(false);
    expect(existsSync('/etc/modules-load.d/kubernetes.conf')).toBe(false);
  });
});
