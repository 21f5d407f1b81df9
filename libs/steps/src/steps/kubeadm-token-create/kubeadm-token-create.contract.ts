import type { StepCases } from '../../contract/step-contract';
import { Secret } from '../../secret';
import { kubeadmTokenCreate } from './kubeadm-token-create';

const params = { kubernetesVersion: '1.33.2', ttl: '2h' };
const secrets = { bootstrapToken: new Secret('k7x2pq.0123456789abcdef') };

/** kubeadm.token-create: no such token; the token listed; the token gone (expired or deleted) before the joins ran. */
export const contract: StepCases = {
  step: kubeadmTokenCreate,
  firstRun: { params, secrets, facts: { tokenId: 'k7x2pq', existing: undefined } },
  noop: { params, secrets, facts: { tokenId: 'k7x2pq', existing: { id: 'k7x2pq', expires: '2026-12-06T12:00:00Z', description: 'kumi join token' } } },
  drift: { params, secrets, facts: { tokenId: 'k7x2pq', existing: undefined } },
};
