import { KUBERNETES_MODULES, kernelModules, MODULES_LOAD_CONTENT } from '../steps/kernel-modules/kernel-modules';
import { netWaitTcp } from '../steps/net-wait-tcp/net-wait-tcp';
import { swapOff } from '../steps/swap-off/swap-off';
import { KUBERNETES_SYSCTLS, SYSCTL_CONF_CONTENT, sysctlKubernetes } from '../steps/sysctl-kubernetes/sysctl-kubernetes';
import type { StepCases } from './step-contract';
import { KUBE_NODE_CASES } from '../steps/kube-node/kube-node.contract';
import { ETCD_MEMBER_CASES } from '../steps/etcd-member/etcd-member.contract';

const allOnes = Object.fromEntries(KUBERNETES_SYSCTLS.map((key) => [key, '1']));
const swapFacts = { activeSwaps: [] as string[], fstab: 'UUID=1111 / ext4 defaults 0 1\n', swapUnits: [] as string[], maskedUnits: [] as string[], zram: { generatorInstalled: false, config: undefined }, systemdRunning: true };
const waitParams = { host: '192.0.2.100', port: 6443, timeoutSeconds: 300 };

/** Contract cases by step id: first run, noop and drift rows of each step (see step-contract.ts). */
export const STEP_CASES: Readonly<Record<string, StepCases>> = {
  'swap.off': {
    step: swapOff,
    firstRun: {
      params: {},
      facts: { ...swapFacts, activeSwaps: ['/swap.img'], fstab: `${swapFacts.fstab}/swap.img none swap sw 0 0\n`, swapUnits: ['swap.img.swap'] },
    },
    noop: { params: {}, facts: { ...swapFacts, fstab: `${swapFacts.fstab}# /swap.img none swap sw 0 0\n`, swapUnits: ['swap.img.swap'], maskedUnits: ['swap.img.swap'] } },
    // Someone turned the swap file on again by hand; fstab and the mask are still in place.
    drift: { params: {}, facts: { ...swapFacts, activeSwaps: ['/swap.img'], swapUnits: ['swap.img.swap'], maskedUnits: ['swap.img.swap'] } },
  },
  'kernel.modules': {
    step: kernelModules,
    firstRun: { params: {}, facts: { loaded: [], persisted: undefined } },
    noop: { params: {}, facts: { loaded: [...KUBERNETES_MODULES], persisted: MODULES_LOAD_CONTENT } },
    // br_netfilter unloaded since (e.g. a reboot with the file edited away).
    drift: { params: {}, facts: { loaded: ['overlay'], persisted: MODULES_LOAD_CONTENT } },
  },
  'sysctl.kubernetes': {
    step: sysctlKubernetes,
    firstRun: { params: {}, facts: { runtime: Object.fromEntries(KUBERNETES_SYSCTLS.map((key) => [key, '0'])), persisted: undefined, legacy: undefined } },
    noop: { params: {}, facts: { runtime: allOnes, persisted: SYSCTL_CONF_CONTENT, legacy: undefined } },
    drift: { params: {}, facts: { runtime: { ...allOnes, 'net.ipv4.ip_forward': '0' }, persisted: SYSCTL_CONF_CONTENT, legacy: undefined } },
  },
  'net.wait-tcp': {
    step: netWaitTcp,
    firstRun: { params: waitParams, facts: { accepting: false } },
    noop: { params: waitParams, facts: { accepting: true } },
    // The endpoint went away again: wait for it as the first time.
    drift: { params: waitParams, facts: { accepting: false } },
  },
  ...KUBE_NODE_CASES,
  ...ETCD_MEMBER_CASES,
};
