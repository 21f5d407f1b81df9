import * as z from 'zod';
import { tokenIdSchema } from '../common/kubeadm-params';

/** Parameters of `kubeadm.token-delete`: the token's public id is enough. */
export const kubeadmTokenDeleteParams = z.object({ tokenId: tokenIdSchema }).strict();
export type KubeadmTokenDeleteParams = z.infer<typeof kubeadmTokenDeleteParams>;
