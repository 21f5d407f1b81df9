import type { StepCases } from '../../contract/step-contract';
import { Secret } from '../../secret';
import { kubeadmUploadCerts } from './kubeadm-upload-certs';

const params = { kubernetesVersion: '1.33.2' };
const secrets = { certificateKey: new Secret('0'.repeat(64)) };
const checkedAt = '2026-12-06T10:00:00Z';

/**
 * kubeadm.upload-certs: nothing uploaded with this key; uploaded and kept 2 h; uploaded but
 * its owner token expires within renewBefore (30 min), so it is uploaded again.
 */
export const contract: StepCases = {
  step: kubeadmUploadCerts,
  firstRun: { params, secrets, facts: { uploadedWithKey: false, expiresAt: undefined, checkedAt, hostName: 'cp1' } },
  noop: { params, secrets, facts: { uploadedWithKey: true, expiresAt: '2026-12-06T12:00:00Z', checkedAt, hostName: 'cp1' } },
  drift: { params, secrets, facts: { uploadedWithKey: true, expiresAt: '2026-12-06T10:10:00Z', checkedAt, hostName: 'cp1' } },
};
