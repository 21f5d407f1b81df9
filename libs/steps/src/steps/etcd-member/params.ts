import * as z from 'zod';
import { ADMIN_CONF } from '../common/kubeadm-state';
import { nodeNameSchema } from '../kube-node/params';

/** kubectl's kubeconfig, for reaching etcdctl inside the local etcd pod when the host has none. */
const kubeconfigSchema = z.string().startsWith('/', 'must be an absolute path').default(ADMIN_CONF);

/** Parameters of `etcd.member-list` (run on a control plane: it asks its local etcd member). */
export const etcdMemberListParams = z.object({ kubeconfig: kubeconfigSchema }).strict();
export type EtcdMemberListParams = z.infer<typeof etcdMemberListParams>;

/** Parameters of `etcd.member-remove` (run on a healthy control plane other than the one removed). */
export const etcdMemberRemoveParams = z
  .object({
    /** The member's name: kubeadm names a stacked etcd member after its node. */
    member: nodeNameSchema,
    kubeconfig: kubeconfigSchema,
  })
  .strict();
export type EtcdMemberRemoveParams = z.infer<typeof etcdMemberRemoveParams>;
