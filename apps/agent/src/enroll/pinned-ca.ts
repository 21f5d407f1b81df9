import { X509Certificate } from 'node:crypto';
import { isIP } from 'node:net';
import { checkServerIdentity, connect, type DetailedPeerCertificate } from 'node:tls';
import { caPin, derToPem, matchesPin } from '@kumi/trust/verify';
import { nameMismatchAdvice } from './tls-failure';

/** The coordinator's CA does not match the configured pin; nothing secret was sent. */
export class PinMismatchError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PinMismatchError';
  }
}

/** The coordinator's certificate does not name the address the agent dials; retrying cannot help. */
export class CoordinatorNameError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CoordinatorNameError';
  }
}

const HANDSHAKE_TIMEOUT_MS = 10_000;

/**
 * Connects with TLS, reads the certificate chain the coordinator presents and returns the
 * CA certificate (PEM) whose public key matches `pin`, after checking that the serving
 * certificate was signed by it and names `host` (the check the gRPC connection makes next,
 * done here so that a certificate without this address fails at once, not as an endless
 * retry). Only a TLS handshake happens: no application data is
 * written, so a wrong pin never exposes the bootstrap token.
 */
export async function fetchPinnedCa(host: string, port: number, pin: string, timeoutMs = HANDSHAKE_TIMEOUT_MS): Promise<string> {
  const chain = await peerChain(host, port, timeoutMs);
  const leaf = chain[0];
  if (!leaf) throw new PinMismatchError(`the coordinator at ${host}:${port} presented no certificate; check --coordinator`);
  const pems = chain.map(derToPem);
  const caIndex = pems.findIndex((pem) => matchesPin(pem, pin));
  if (caIndex < 0) {
    const seen = pems.map((pem) => caPin(pem)).join(', ');
    throw new PinMismatchError(
      `the coordinator at ${host}:${port} presented no CA matching the pin ${pin} (it presented ${seen}); ` +
        'the bootstrap token was NOT sent. Check --ca-pin against the pin printed by `kumi init` / `kumi token create`, and --coordinator',
    );
  }
  const caPem = pems[caIndex]!;
  const ca = new X509Certificate(caPem);
  const serving = new X509Certificate(pems[0]!);
  if (!ca.ca || !(caIndex === 0 ? true : serving.checkIssued(ca) && serving.verify(ca.publicKey))) {
    throw new PinMismatchError(
      `the coordinator at ${host}:${port} presented a serving certificate not signed by the pinned CA; the bootstrap token was NOT sent`,
    );
  }
  if (checkServerIdentity(host, serving.toLegacyObject()) !== undefined) {
    throw new CoordinatorNameError(
      `the coordinator's certificate does not name ${host} (it names ${serving.subjectAltName ?? 'nothing'}); the bootstrap token was NOT sent. ` +
        `Fix: ${nameMismatchAdvice(host)}`,
    );
  }
  return caPem;
}

function peerChain(host: string, port: number, timeoutMs: number): Promise<Buffer[]> {
  return new Promise((resolve, reject) => {
    const socket = connect({
      host,
      port,
      // The chain is checked against the pin below instead of a system trust store.
      rejectUnauthorized: false,
      ALPNProtocols: ['h2'],
      ...(isIP(host) === 0 ? { servername: host } : {}),
    });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`TLS handshake with ${host}:${port} did not finish within ${timeoutMs} ms`));
    }, timeoutMs);
    socket.once('secureConnect', () => {
      clearTimeout(timer);
      const raw: Buffer[] = [];
      let cert: DetailedPeerCertificate | undefined = socket.getPeerCertificate(true);
      const seen = new Set<string>();
      while (cert && cert.raw && !seen.has(cert.fingerprint256)) {
        seen.add(cert.fingerprint256);
        raw.push(cert.raw);
        cert = cert.issuerCertificate;
      }
      socket.destroy();
      resolve(raw);
    });
    socket.once('error', (error) => {
      clearTimeout(timer);
      socket.destroy();
      reject(new Error(`cannot open TLS to the coordinator at ${host}:${port}: ${error.message}`));
    });
  });
}
