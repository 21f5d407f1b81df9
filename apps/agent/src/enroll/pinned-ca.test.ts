import { X509Certificate } from 'node:crypto';
import { createServer, type Server } from 'node:tls';
import { caPin, createCa, issueServerCert } from '@kumi/trust';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CoordinatorNameError, fetchPinnedCa, PinMismatchError } from './pinned-ca';

describe('fetchPinnedCa', () => {
  let ca: { certPem: string; keyPem: string };
  let serving: { certPem: string; keyPem: string };
  let server: Server | undefined;
  let bytesReceived = 0;

  beforeAll(async () => {
    ca = await createCa('kumi-test-ca');
    serving = await issueServerCert(ca, { commonName: 'kumi', dnsNames: ['localhost'], ipAddresses: ['127.0.0.1'] });
  });
  afterEach(async () => {
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    server = undefined;
  });

  async function listen(certChain: string, key = serving.keyPem): Promise<number> {
    bytesReceived = 0;
    server = createServer({ cert: certChain, key, ALPNProtocols: ['h2'] }, (socket) => {
      socket.on('data', (chunk: Buffer) => (bytesReceived += chunk.length));
      socket.on('error', () => undefined);
    });
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    if (address === null || typeof address === 'string') throw new Error('no port');
    return address.port;
  }

  it('returns the CA that matches the pin and signed the serving certificate', async () => {
    const port = await listen(`${serving.certPem}\n${ca.certPem}`);
    const caPem = await fetchPinnedCa('127.0.0.1', port, caPin(ca.certPem));
    expect(new X509Certificate(caPem).fingerprint256).toBe(new X509Certificate(ca.certPem).fingerprint256);
  });

  it('fails closed on a wrong pin, after the handshake only: no application byte is sent', async () => {
    const port = await listen(`${serving.certPem}\n${ca.certPem}`);
    const other = await createCa('another-ca');
    const error = await fetchPinnedCa('127.0.0.1', port, caPin(other.certPem)).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(PinMismatchError);
    expect((error as Error).message).toMatch(/no CA matching the pin .*token was NOT sent.*--ca-pin/);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(bytesReceived).toBe(0);
  });

  it('stops at a certificate that does not name the dialled address, naming the fix; no byte is sent', async () => {
    const elsewhere = await issueServerCert(ca, { commonName: 'kumi', dnsNames: ['kumi.example'], ipAddresses: ['127.0.0.2'] });
    const port = await listen(`${elsewhere.certPem}\n${ca.certPem}`, elsewhere.keyPem);
    const error = await fetchPinnedCa('127.0.0.1', port, caPin(ca.certPem)).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(CoordinatorNameError);
    expect((error as Error).message).toContain("the coordinator's certificate does not name 127.0.0.1 (it names DNS:kumi.example, IP Address:127.0.0.2)");
    expect((error as Error).message).toContain('`kumi init --address 127.0.0.1`');
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(bytesReceived).toBe(0);
  });

  it('fails closed when the coordinator does not present its CA', async () => {
    const port = await listen(serving.certPem);
    await expect(fetchPinnedCa('127.0.0.1', port, caPin(ca.certPem))).rejects.toThrow(PinMismatchError);
  });

  it('explains an unreachable coordinator', async () => {
    const port = await listen(serving.certPem);
    await new Promise<void>((resolve) => server!.close(() => resolve()));
    server = undefined;
    await expect(fetchPinnedCa('127.0.0.1', port, caPin(ca.certPem))).rejects.toThrow(/cannot open TLS to the coordinator at 127.0.0.1:\d+: .*ECONNREFUSED/);
  });
});
