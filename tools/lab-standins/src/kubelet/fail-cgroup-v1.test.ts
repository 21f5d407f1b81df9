import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isCgroup2UnifiedMode } from '../kubeadm/preflight-cgroups';

// KubeletConfiguration failCgroupV1 (k/k pkg/kubelet/apis/config/v1beta1/defaults.go, KEP-5573):
// false by default up to v1.34, true from v1.35, and then the kubelet refuses a cgroup v1 host.
// Runs the kubelet stand-in on this machine; meaningful on a cgroup v1 machine only.
const v1Machine = !isCgroup2UnifiedMode();
const KUBELET = path.join(import.meta.dirname, 'bin', 'kubelet.ts');

let root: string;
beforeEach(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'kumi-kubelet-cgv1-'));
  fs.mkdirSync(path.join(root, 'var/lib/kubelet'), { recursive: true });
});
afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

/** Starts the kubelet with `config` and no kubelet.conf: past the cgroup check it stops at the missing kubeconfig. */
async function kubelet(version: string, config: string): Promise<string> {
  fs.writeFileSync(path.join(root, 'var/lib/kubelet/config.yaml'), config);
  const res = await execa(process.execPath, ['--import', 'tsx', KUBELET], { env: { KUMI_STANDIN_ROOT: root, KUMI_STANDIN_KUBEADM_VERSION: version }, reject: false, timeout: 30_000 });
  expect(res.exitCode).toBe(1);
  return String(res.stderr);
}

describe.skipIf(!v1Machine)('kubelet on a cgroup v1 host', () => {
  const refused = 'failed to validate kubelet configuration, error: kubelet is configured to not run on a host using cgroup v1. cgroup v1 support is unsupported and will be removed in a future release';
  const config = 'apiVersion: kubelet.config.k8s.io/v1beta1\nkind: KubeletConfiguration\n';

  it('v1.35 refuses by default, runs with failCgroupV1: false; v1.34 runs unless failCgroupV1: true', async () => {
    expect(await kubelet('v1.35.0', config)).toContain(refused);
    expect(await kubelet('v1.35.0', `${config}failCgroupV1: false\n`)).toContain('unable to load bootstrap kubeconfig');
    expect(await kubelet('v1.34.2', config)).toContain('unable to load bootstrap kubeconfig');
    expect(await kubelet('v1.34.2', `${config}failCgroupV1: true\n`)).toContain(refused);
  }, 120_000);
});
