import * as z from 'zod';
import type { Action } from '../../plan';
import { planOf } from '../../plan';
import type { HostReader, Step } from '../../step';

/** Modules Kubernetes networking needs: overlayfs for containerd, bridge netfilter for flannel/kube-proxy. */
export const KUBERNETES_MODULES = ['overlay', 'br_netfilter'] as const;

/** systemd-modules-load reads this at boot (before systemd-sysctl). */
export const MODULES_LOAD_PATH = '/etc/modules-load.d/kubernetes.conf';

/** The exact content kernel.modules keeps in MODULES_LOAD_PATH. */
export const MODULES_LOAD_CONTENT = [
  '# Written by kumi: kernel modules Kubernetes needs, loaded at every boot.',
  ...KUBERNETES_MODULES,
  '',
].join('\n');

/** kernel.modules takes no parameters. */
export const kernelModulesParams = z.object({}).strict();
export type KernelModulesParams = z.infer<typeof kernelModulesParams>;

/**
 * What each module provides, visible whether it is loadable or built in (kernels without
 * module support list nothing in /proc/modules and may have no /sys/module entry).
 */
const FEATURE_OF: Record<(typeof KUBERNETES_MODULES)[number], (host: HostReader) => Promise<boolean>> = {
  overlay: async (host) => /^nodev\s+overlay$/m.test((await host.readFile('/proc/filesystems')) ?? ''),
  br_netfilter: (host) => host.exists('/proc/sys/net/bridge/bridge-nf-call-iptables'),
};

/** What kernel.modules reads from the host. */
export interface KernelModulesFacts {
  /** Modules of KUBERNETES_MODULES that are loaded or built in (listed, in /sys/module, or their feature present). */
  loaded: string[];
  /** MODULES_LOAD_PATH as it is, or undefined when missing. */
  persisted: string | undefined;
}

/** Loads overlay and br_netfilter now and at every boot. */
export const kernelModules: Step<KernelModulesParams, KernelModulesFacts> = {
  id: 'kernel.modules',
  title: 'Load the overlay and br_netfilter kernel modules, now and at boot',
  params: kernelModulesParams,

  async check(host) {
    const procModules = (await host.readFile('/proc/modules')) ?? '';
    const listed = new Set(procModules.split('\n').map((line) => line.split(' ')[0]));
    const loaded: string[] = [];
    for (const name of KUBERNETES_MODULES) {
      if (listed.has(name) || (await host.exists(`/sys/module/${name}`)) || (await FEATURE_OF[name](host))) {
        loaded.push(name);
      }
    }
    return { loaded, persisted: await host.readFile(MODULES_LOAD_PATH) };
  },

  plan(facts) {
    const actions: Action[] = KUBERNETES_MODULES.filter((name) => !facts.loaded.includes(name)).map((name) => ({
      kind: 'run' as const,
      argv: ['modprobe', '--', name],
      why: `load ${name} now (Kubernetes networking needs it)`,
    }));
    if (facts.persisted !== MODULES_LOAD_CONTENT) {
      actions.push({
        kind: 'write',
        path: MODULES_LOAD_PATH,
        content: MODULES_LOAD_CONTENT,
        mode: 0o644,
        why: `load ${KUBERNETES_MODULES.join(' and ')} at every boot`,
      });
    }
    return planOf(actions, `${KUBERNETES_MODULES.join(' and ')} already loaded and loaded at boot`);
  },
};
