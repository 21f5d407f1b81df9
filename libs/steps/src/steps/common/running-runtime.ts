import { StepFailure } from '../../run-types';
import type { HostReader } from '../../step';
import { probeVersion } from './probe-version';

/** What the running runtime reports through its CRI (`crictl info`). */
export interface RunningRuntime {
  /** The RuntimeReady condition of the CRI Status. */
  runtimeReady: boolean;
  /** From containerd's CRI plugin config; undefined when the runtime does not report it. */
  cgroupDriver: 'systemd' | 'cgroupfs' | undefined;
  sandboxImage: string | undefined;
}

type CriConfig = {
  containerd?: { defaultRuntimeName?: string; runtimes?: Record<string, { options?: Record<string, unknown> | null }> };
  sandboxImage?: string;
  pinnedImages?: { sandbox?: string };
};

/**
 * Reads the running runtime through its CRI: `crictl --runtime-endpoint E info`, whose JSON
 * (kubernetes-sigs/cri-tools cmd/crictl/info.go, v1.36) holds the Status conditions and,
 * for containerd, the CRI plugin config the daemon runs with (containerd
 * pkg/cri/server/status.go info["config"], v1.6/1.7). Undefined when crictl is not
 * installed yet (kubernetes.packages installs cri-tools, after the runtime); a CRI that does not answer fails the step.
 */
export async function readRunningRuntime(host: HostReader, endpoint: string, runtime: string): Promise<RunningRuntime | undefined> {
  // "crictl version v1.33.0" (cri-tools cmd/crictl/main.go, urfave/cli's --version).
  if ((await probeVersion(host, ['crictl', '--version'], /crictl version v?(\S+)/)) === undefined) return undefined;
  const info = await host.probe(['crictl', '--runtime-endpoint', endpoint, 'info']);
  if (info.exitCode !== 0) {
    throw new StepFailure(
      'CHECK_FAILED',
      `${runtime} does not serve the CRI on ${endpoint}: ${info.stderr.trim().slice(-400)}. Fix: enable its CRI (containerd: no "cri" in disabled_plugins) and restart it.`,
    );
  }
  let parsed: { status?: { conditions?: { type?: string; status?: boolean }[] }; config?: CriConfig };
  try {
    parsed = JSON.parse(info.stdout) as typeof parsed;
  } catch {
    throw new StepFailure('CHECK_FAILED', `crictl info printed no JSON for ${endpoint}. Fix: check crictl and ${runtime}.`);
  }
  return {
    runtimeReady: parsed.status?.conditions?.some((c) => c.type === 'RuntimeReady' && c.status === true) === true,
    cgroupDriver: cgroupDriverOf(parsed.config),
    sandboxImage: parsed.config?.sandboxImage ?? parsed.config?.pinnedImages?.sandbox,
  };
}

function cgroupDriverOf(config: CriConfig | undefined): 'systemd' | 'cgroupfs' | undefined {
  const name = config?.containerd?.defaultRuntimeName ?? 'runc';
  const runtime = config?.containerd?.runtimes?.[name];
  if (runtime === undefined) return undefined;
  // `crictl info` prints "options": null for a runtime without an options table: runc then
  // runs with SystemdCgroup's default, false (cgroupfs).
  return runtime.options?.['SystemdCgroup'] === true ? 'systemd' : 'cgroupfs';
}

/**
 * Whether the running containerd loaded its CRI plugin: `ctr plugins ls` (shipped with
 * every containerd package, so it works before cri-tools is installed) lists
 * "io.containerd.grpc.v1  cri  …  ok"; a disabled plugin is not listed at all.
 */
export async function containerdServesCri(host: HostReader, socketPath: string): Promise<boolean> {
  const listed = await host.probe(['ctr', '--address', socketPath, 'plugins', 'ls']);
  if (listed.exitCode !== 0) throw new StepFailure('CHECK_FAILED', `ctr cannot reach containerd on ${socketPath}: ${listed.stderr.trim().slice(-300)}. Fix: systemctl status containerd.`);
  return listed.stdout.split('\n').some((line) => /^io\.containerd\.grpc\.v1\s+cri\s+\S+\s+ok\s*$/.test(line.trim()));
}
