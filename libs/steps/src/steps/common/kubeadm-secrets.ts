import { StepFailure } from '../../run-types';
import type { Secret } from '../../secret';
import type { SecretBag } from '../../step';
import { BOOTSTRAP_TOKEN, CERTIFICATE_KEY } from './kubeadm-params';

/** The bootstrap token from the bag, checked for kubeadm's format (the value is never shown). */
export function bootstrapTokenOf(secrets: SecretBag): Secret {
  return checked(secrets, BOOTSTRAP_TOKEN, /^[a-z0-9]{6}\.[a-z0-9]{16}$/, 'a bootstrap token "[a-z0-9]{6}.[a-z0-9]{16}"');
}

/** The certificate key from the bag, checked to be 64 hex digits (a 32-byte AES key). */
export function certificateKeyOf(secrets: SecretBag): Secret {
  return checked(secrets, CERTIFICATE_KEY, /^[0-9a-f]{64}$/, 'a certificate key of 64 lowercase hex digits');
}

/** The public id of a bootstrap token ("abcdef" of "abcdef.0123456789abcdef"). */
export function tokenIdOf(token: Secret): string {
  return token.reveal().split('.')[0] ?? '';
}

function checked(secrets: SecretBag, name: string, pattern: RegExp, what: string): Secret {
  const secret = secrets[name];
  if (secret === undefined) {
    throw new StepFailure('INVALID_PARAMS', `the secret ${name} is missing. Fix: send it in the request's secrets field.`);
  }
  if (!pattern.test(secret.reveal())) {
    throw new StepFailure('INVALID_PARAMS', `the secret ${name} is not ${what}. Fix: mint a new one in that format.`);
  }
  return secret;
}
