import { createPublicKey, X509Certificate } from 'node:crypto';
import { status, type ServiceError } from '@grpc/grpc-js';
import type { EnrollResponse__Output } from '@kumi/proto';
import { matchesPin, verifyPeerCert } from '@kumi/trust/verify';
import { loadPartFromAssets, partFromSource, type LoadedPart } from '../runtime/agent-parts';
import type { AgentCredentials } from '../state/credentials-store';
import { coordinatorClient } from './coordinator-client';
import { EnrollRefusedError } from './enroll-refused-error';
import { isTransientEnrollStatus } from './enroll-status';
import { fetchPinnedCa } from './pinned-ca';
import { nameMismatchAdvice, tlsVerificationFailure } from './tls-failure';
import type * as CsrPart from './csr-part';

const ENROLL_DEADLINE_MS = 15_000;

/** What enrollment needs. The token is used once and never logged. */
export interface EnrollInput {
  address: string;
  host: string;
  port: number;
  pin: string;
  token: string;
  hostName: string;
}

export { EnrollRefusedError };

/** The agent's key and the CSR for it, made once and sent on every attempt. */
export interface KeyAndCsr {
  keyPem: string;
  csrPem: string;
}

/**
 * First contact: pins the coordinator's CA (before anything is sent), calls Enroll with
 * the CSR of the agent's own key over TLS that trusts only the pinned CA, and checks what
 * comes back. The private key never leaves this process except into the 0600 state files.
 * The same key is sent on every retry, so when an answer was lost after the token was
 * spent, the coordinator recognises the retry and sends the certificate again.
 */
export async function enroll(input: EnrollInput, { keyPem, csrPem }: KeyAndCsr): Promise<AgentCredentials> {
  const caPem = await fetchPinnedCa(input.host, input.port, input.pin);
  const client = coordinatorClient(input.address, caPem);
  let response: EnrollResponse__Output;
  try {
    response = await new Promise<EnrollResponse__Output>((resolve, reject) => {
      client.enroll(
        { token: input.token, csrPem, hostName: input.hostName },
        { deadline: Date.now() + ENROLL_DEADLINE_MS },
        (error, value) => (error || !value ? reject(error ?? new Error('empty Enroll response')) : resolve(value)),
      );
    });
  } catch (error) {
    throw enrollError(error as ServiceError, input);
  } finally {
    client.close();
  }
  return checkResponse(response, keyPem, input);
}

/** Key and CSR from the `csr` part, held only for this call: afterwards the x509 stack is garbage. */
export async function makeKeyAndCsr(hostName: string): Promise<KeyAndCsr> {
  // Nothing here depends on the network: a failure is the executable's, and retrying it
  // would only repeat it, so it ends enrollment.
  let csr: LoadedPart<typeof CsrPart>;
  try {
    csr =
      typeof KUMI_AGENT_PARTS_ARE_ASSETS !== 'undefined' && KUMI_AGENT_PARTS_ARE_ASSETS
        ? loadPartFromAssets<typeof CsrPart>('csr')
        : partFromSource(await import('./csr-part'));
  } catch (error) {
    throw new EnrollRefusedError(`the agent cannot load its key and CSR code (${(error as Error).message}): the kumi-agent file is damaged; download it again and check its sha256`);
  }
  try {
    return await csr.exports.createKeyAndCsr(hostName);
  } catch (error) {
    throw new EnrollRefusedError(`the agent could not make its key and CSR (${(error as Error).message}); check that ${hostName} is a valid host name and that the kumi-agent file is intact`);
  } finally {
    csr.release();
  }
}

function checkResponse(response: EnrollResponse__Output, keyPem: string, input: EnrollInput): AgentCredentials {
  if (!matchesPin(response.caPem, input.pin)) {
    throw new EnrollRefusedError('the coordinator returned a CA that does not match the pin; refusing the certificate');
  }
  const check = verifyPeerCert(response.certificatePem, response.caPem);
  if (!check.ok) throw new EnrollRefusedError(`the coordinator returned an unusable certificate: ${check.reason}`);
  if (check.commonName !== input.hostName) {
    throw new EnrollRefusedError(`the coordinator returned a certificate for "${check.commonName}", not for "${input.hostName}"`);
  }
  const certKey = new X509Certificate(response.certificatePem).publicKey.export({ type: 'spki', format: 'der' });
  const ownKey = createPublicKey(keyPem).export({ type: 'spki', format: 'der' });
  if (!certKey.equals(ownKey)) throw new EnrollRefusedError('the coordinator returned a certificate for a key other than ours');
  return { keyPem, certPem: response.certificatePem, caPem: response.caPem };
}

function enrollError(error: ServiceError, input: EnrollInput): Error {
  const { address } = input;
  const detail = error.details || error.message;
  // Only the network is worth retrying: a certificate TLS rejected stays rejected.
  const tls = tlsVerificationFailure(detail);
  if (tls === 'name-mismatch') {
    return new EnrollRefusedError(`the coordinator's certificate does not name ${input.host} (${detail}); fix: ${nameMismatchAdvice(input.host)}`);
  }
  if (tls === 'certificate-rejected') {
    return new EnrollRefusedError(`TLS rejected the coordinator's certificate at ${address} (${detail}); check the coordinator's clock and its state folder, and --coordinator`);
  }
  if (!isTransientEnrollStatus(error.code)) {
    return new EnrollRefusedError(`the coordinator at ${address} refused enrollment: ${detail}`);
  }
  return new Error(`enrollment at ${address} failed (${status[error.code] ?? 'no status'}; will retry): ${detail}`);
}
