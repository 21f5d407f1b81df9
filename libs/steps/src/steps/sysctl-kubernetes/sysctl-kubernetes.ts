import * as z from 'zod';
import type { Action } from '../../plan';
import { planOf } from '../../plan';
import type { Step } from '../../step';

/** Kernel settings Kubernetes networking needs, all "1". */
export const KUBERNETES_SYSCTLS = [
  'net.bridge.bridge-nf-call-iptables',
  'net.bridge.bridge-nf-call-ip6tables',
  'net.ipv4.ip_forward',
] as const;

/**
 * Read at boot by systemd-sysctl and by `sysctl --system`. systemd-sysctl applies the
 * files in file-name order and the last setting wins: this name sorts after every
 * numbered file, notably Debian's 99-sysctl.conf (→ /etc/sysctl.conf), so an
 * `ip_forward = 0` there cannot undo it at boot (upstream's docs use k8s.conf likewise).
 */
export const SYSCTL_CONF_PATH = '/etc/sysctl.d/kumi-kubernetes.conf';

/** Where earlier kumi versions wrote the file; it sorted before 99-sysctl.conf. */
export const LEGACY_SYSCTL_CONF_PATH = '/etc/sysctl.d/99-kubernetes.conf';

/** The first line of every file kumi writes here: only such a legacy file is removed. */
const KUMI_HEADER = '# Written by kumi: kernel settings Kubernetes networking needs.';

/** The exact content sysctl.kubernetes keeps in SYSCTL_CONF_PATH. */
export const SYSCTL_CONF_CONTENT = [
  KUMI_HEADER,
  ...KUBERNETES_SYSCTLS.map((key) => `${key} = 1`),
  '',
].join('\n');

/** The /proc/sys file of a sysctl key: net.ipv4.ip_forward → /proc/sys/net/ipv4/ip_forward. */
export function procSysPath(key: string): string {
  return `/proc/sys/${key.replaceAll('.', '/')}`;
}

/** sysctl.kubernetes takes no parameters. */
export const sysctlKubernetesParams = z.object({}).strict();
export type SysctlKubernetesParams = z.infer<typeof sysctlKubernetesParams>;

/** What sysctl.kubernetes reads from the host. */
export interface SysctlKubernetesFacts {
  /** Current value of each key (trimmed), undefined when the kernel does not offer it. */
  runtime: Record<string, string | undefined>;
  /** SYSCTL_CONF_PATH as it is, or undefined when missing. */
  persisted: string | undefined;
  /** LEGACY_SYSCTL_CONF_PATH as it is, or undefined when missing. */
  legacy: string | undefined;
}

/** Sets the bridge-netfilter and IPv4 forwarding sysctls now and at every boot. */
export const sysctlKubernetes: Step<SysctlKubernetesParams, SysctlKubernetesFacts> = {
  id: 'sysctl.kubernetes',
  title: 'Set the kernel settings Kubernetes networking needs, now and at boot',
  params: sysctlKubernetesParams,

  async check(host) {
    const runtime: Record<string, string | undefined> = {};
    for (const key of KUBERNETES_SYSCTLS) runtime[key] = (await host.readFile(procSysPath(key)))?.trim();
    return { runtime, persisted: await host.readFile(SYSCTL_CONF_PATH), legacy: await host.readFile(LEGACY_SYSCTL_CONF_PATH) };
  },

  plan(facts) {
    const actions: Action[] = [];
    if (facts.persisted !== SYSCTL_CONF_CONTENT) {
      actions.push({
        kind: 'write',
        path: SYSCTL_CONF_PATH,
        content: SYSCTL_CONF_CONTENT,
        mode: 0o644,
        why: 'keep the Kubernetes kernel settings across reboots',
      });
    }
    // A file of that name kumi did not write is the admin's: left alone.
    if (facts.legacy?.startsWith(KUMI_HEADER)) {
      actions.push({ kind: 'remove', path: LEGACY_SYSCTL_CONF_PATH, why: `an earlier kumi wrote it; ${SYSCTL_CONF_PATH} replaces it` });
    }
    for (const key of KUBERNETES_SYSCTLS.filter((name) => facts.runtime[name] !== '1')) {
      actions.push({
        kind: 'write',
        path: procSysPath(key),
        content: '1\n',
        inPlace: true,
        why: `set ${key} = 1 now${key.startsWith('net.bridge.') ? ' (needs br_netfilter loaded: step kernel.modules)' : ''}`,
      });
    }
    return planOf(actions, `${KUBERNETES_SYSCTLS.join(', ')} already 1 and kept at boot`);
  },
};
