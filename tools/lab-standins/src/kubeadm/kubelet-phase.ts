import fs from 'node:fs';
import path from 'node:path';
import { execa } from 'execa';
import { goYaml } from '../common/go-yaml';
import { type HostEnv, hostPath, KubePaths } from '../common/host-env';
import { insideLabHost, standinArgv, type ServiceRunner } from '../common/service-runner';
import type { KubeApi } from '../common/kube-api';
import { resourceByRest } from '../common/resources';
import { pollUntil } from '../common/wait';
import type { ClusterConfig } from './config';
import { KubeadmError } from './kubeadm-error';
import { kubeletConfiguration } from './cluster-objects';

/** Writes the kubelet's config.yaml and kubeadm-flags.env, as `[kubelet-start]` does. */
export function writeKubeletFiles(host: HostEnv, cluster: ClusterConfig, nodeName: string, nodeIp: string, criSocket: string, log: (line: string) => void): void {
  const config = hostPath(host, KubePaths.kubeletConfig);
  fs.mkdirSync(path.dirname(config), { recursive: true });
  log(`[kubelet-start] Writing kubelet environment file with flags to file "${KubePaths.kubeletFlagsEnv}"`);
  fs.writeFileSync(hostPath(host, KubePaths.kubeletFlagsEnv), `KUBELET_KUBEADM_ARGS="--container-runtime-endpoint=${criSocket} --hostname-override=${nodeName} --node-ip=${nodeIp} --pod-infra-container-image=registry.k8s.io/pause:3.10"\n`);
  log(`[kubelet-start] Writing kubelet configuration to file "${KubePaths.kubeletConfig}"`);
  fs.writeFileSync(config, goYaml(kubeletConfiguration(cluster)));
}

/**
 * `[kubelet-start] Starting the kubelet`: inside a lab host through the host's systemctl
 * (the kubelet unit of the kubelet package); outside the lab the kubelet stand-in is
 * started directly with the same flags the unit would give it.
 */
export async function startKubelet(host: HostEnv, runner: ServiceRunner, nodeName: string, nodeIp: string, log: (line: string) => void): Promise<void> {
  log('[kubelet-start] Starting the kubelet');
  if (insideLabHost(host)) {
    const result = await execa('systemctl', ['restart', 'kubelet'], { reject: false });
    if (result.exitCode !== 0) log(`[WARNING] The kubelet could not be started: ${result.stderr.trim() || `systemctl exited ${result.exitCode}`}`);
    return;
  }
  await runner.stop('kubelet');
  await runner.start('kubelet', standinArgv('kubelet', [
    `--kubeconfig=${hostPath(host, KubePaths.kubeletConf)}`,
    `--config=${hostPath(host, KubePaths.kubeletConfig)}`,
    `--hostname-override=${nodeName}`,
    `--node-ip=${nodeIp}`,
    `--root-dir=${hostPath(host, KubePaths.kubeletDir)}`,
  ]));
}

/** Stops the kubelet, the same way startKubelet started it (systemctl inside a lab host). */
export async function stopKubelet(host: HostEnv, runner: ServiceRunner): Promise<void> {
  if (insideLabHost(host)) await execa('systemctl', ['stop', 'kubelet'], { reject: false });
  else await runner.stop('kubelet');
}

/** `[kubelet-check]`: waits until the kubelet has registered its Node object (kubeadm waits for a healthy kubelet the same way). */
export async function waitForKubelet(api: KubeApi, nodeName: string, log: (line: string) => void, timeoutMs = 40_000): Promise<void> {
  const started = Date.now();
  log(`[kubelet-check] Waiting for a healthy kubelet at http://127.0.0.1:10248/healthz. This can take up to ${Math.round(timeoutMs / 1000)}s`);
  const node = await pollUntil(async () => api.find(resourceByRest('', 'nodes'), undefined, nodeName), timeoutMs, 300);
  if (!node) throw new KubeadmError(`The kubelet is not healthy after ${Math.round(timeoutMs / 1000)}s: node "${nodeName}" was not registered; check the kubelet's log (journalctl -xeu kubelet)`, 'kubelet-start');
  log(`[kubelet-check] The kubelet is healthy after ${((Date.now() - started) / 1000).toFixed(6)}s`);
}
