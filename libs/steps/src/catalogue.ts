import type { AnyStep } from './step';
import { cniFlannel } from './steps/cni-flannel/cni-flannel';
import { drill } from './steps/drill/drill';
import { firewall } from './steps/firewall/firewall';
import { kubeadmAdminKubeconfig } from './steps/kubeadm-admin-kubeconfig/kubeadm-admin-kubeconfig';
import { kubeadmInit } from './steps/kubeadm-init/kubeadm-init';
import { kubeadmJoin } from './steps/kubeadm-join/kubeadm-join';
import { kubeadmReset } from './steps/kubeadm-reset/kubeadm-reset';
import { kubeadmTokenCreate } from './steps/kubeadm-token-create/kubeadm-token-create';
import { kubeadmTokenDelete } from './steps/kubeadm-token-delete/kubeadm-token-delete';
import { kubeadmUploadCerts } from './steps/kubeadm-upload-certs/kubeadm-upload-certs';
import { kubernetesPackages } from './steps/kubernetes-packages/kubernetes-packages';
import { lbHaproxy } from './steps/lb-haproxy/lb-haproxy';
import { lbKeepalived } from './steps/lb-keepalived/lb-keepalived';
import { preflight } from './steps/preflight/preflight';
import { runtimeContainerd } from './steps/runtime-containerd/runtime-containerd';
import { runtimeDocker } from './steps/runtime-docker/runtime-docker';
import { verify } from './steps/verify/verify';
import { kernelModules } from './steps/kernel-modules/kernel-modules';
import { netWaitTcp } from './steps/net-wait-tcp/net-wait-tcp';
import { swapOff } from './steps/swap-off/swap-off';
import { sysctlKubernetes } from './steps/sysctl-kubernetes/sysctl-kubernetes';
import { kubeDrain } from './steps/kube-node/kube-drain';
import { kubeUncordon } from './steps/kube-node/kube-uncordon';
import { kubeNodeDelete } from './steps/kube-node/kube-node-delete';
import { kubeadmUpgradePlan } from './steps/kubeadm-upgrade/kubeadm-upgrade-plan';
import { kubeadmUpgradeApply } from './steps/kubeadm-upgrade/kubeadm-upgrade-apply';
import { kubeadmUpgradeNode } from './steps/kubeadm-upgrade/kubeadm-upgrade-node';
import { kubeadmClusterVersion } from './steps/kubeadm-upgrade/kubeadm-cluster-version';
import { kubeadmCertsCheck } from './steps/kubeadm-certs/kubeadm-certs-check';
import { kubeadmCertsRenew } from './steps/kubeadm-certs/kubeadm-certs-renew';
import { etcdSnapshot } from './steps/etcd-snapshot/etcd-snapshot';
import { etcdMemberList } from './steps/etcd-member/etcd-member-list';
import { etcdMemberRemove } from './steps/etcd-member/etcd-member-remove';

/** Every compiled-in step. Add a step by adding one line here. */
const allSteps: readonly AnyStep[] = [
  swapOff,
  kernelModules,
  sysctlKubernetes,
  netWaitTcp,
  preflight,
  firewall,
  runtimeContainerd,
  runtimeDocker,
  kubernetesPackages,
  lbHaproxy,
  lbKeepalived,
  kubeadmInit,
  kubeadmUploadCerts,
  kubeadmTokenCreate,
  kubeadmTokenDelete,
  kubeadmJoin,
  kubeadmAdminKubeconfig,
  kubeadmReset,
  cniFlannel,
  verify,
  drill,
  kubeDrain,
  kubeUncordon,
  kubeNodeDelete,
  kubeadmUpgradePlan,
  kubeadmUpgradeApply,
  kubeadmUpgradeNode,
  kubeadmCertsCheck,
  kubeadmCertsRenew,
  etcdSnapshot,
  etcdMemberList,
  etcdMemberRemove,
  kubeadmClusterVersion,
];

/** The steps an agent may run, by id. Nothing outside it can be run. */
export const catalogue: ReadonlyMap<string, AnyStep> = catalogueOf(allSteps);

/** The step with this id, or undefined when the catalogue has none. */
export function findStep(id: string): AnyStep | undefined {
  return catalogue.get(id);
}

function catalogueOf(steps: readonly AnyStep[]): ReadonlyMap<string, AnyStep> {
  const byId = new Map<string, AnyStep>();
  for (const step of steps) {
    if (byId.has(step.id)) throw new Error(`two steps share the id "${step.id}": step ids must be unique`);
    byId.set(step.id, step);
  }
  return byId;
}
