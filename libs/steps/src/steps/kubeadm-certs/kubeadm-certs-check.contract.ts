import type { StepCases } from '../../contract/step-contract';
import type { CertExpiry } from './expiration-info';
import { kubeadmCertsCheck } from './kubeadm-certs-check';

const params = {};
const YEAR = 365 * 24 * 3600;
const cert = (name: string, residualSeconds: number, missing = false): CertExpiry => ({
  name,
  expires: missing ? undefined : '2027-12-06T09:00:00Z',
  residualSeconds,
  ca: 'ca',
  externallyManaged: false,
  missing,
});
const authorities = [{ ...cert('ca', 10 * YEAR), ca: undefined }];

/**
 * kubeadm.certs-check only reads: a fresh control plane and one a year on both name the
 * certificate that expires first; a certificate deleted since is reported in the reason.
 */
export const contract: StepCases = {
  step: kubeadmCertsCheck,
  readOnly: true,
  firstRun: { params, facts: { certificates: [cert('admin.conf', YEAR), cert('apiserver', YEAR - 60)], authorities } },
  noop: { params, facts: { certificates: [cert('admin.conf', YEAR), cert('apiserver', YEAR)], authorities } },
  drift: { params, facts: { certificates: [cert('admin.conf', YEAR), cert('apiserver', 0, true)], authorities } },
};
