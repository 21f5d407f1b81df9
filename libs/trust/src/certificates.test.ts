import { X509Certificate } from 'node:crypto';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { connect, createServer, type TLSSocket } from 'node:tls';
import { describe, expect, it } from 'vitest';
import { createCa, createKeyAndCsr, issueServerCert, signClientCsr } from './certificates';
import { x509 } from './x509-provider';
import { caPin, verifyPeerCert } from './verify';

describe('createCa', () => {
  it('makes a 10-year ECDSA P-256 CA', async () => {
    const ca = await createCa('kumi-test');
    const cert = new X509Certificate(ca.certPem);
    expect(cert.ca).toBe(true);
    expect(cert.subject).toBe('CN=kumi-test');
    expect(cert.publicKey.asymmetricKeyDetails?.namedCurve).toBe('prime256v1');
    const years = (Date.parse(cert.validTo) - Date.parse(cert.validFrom)) / (365 * 86400_000);
    expect(years).toBeGreaterThan(9.9);
    expect(ca.keyPem).toMatch(/^-----BEGIN PRIVATE KEY-----/);
  });

  it('refuses a common name that is not a plain name', async () => {
    await expect(createCa('a,b=c')).rejects.toThrow(/invalid common name/);
  });
});

describe('issueServerCert', () => {
  it('puts DNS names and IP addresses in the SANs', async () => {
    const ca = await createCa('kumi-test');
    const server = await issueServerCert(ca, { commonName: 'kumi', dnsNames: ['localhost'], ipAddresses: ['127.0.0.1', '192.0.2.1'] });
    const cert = new X509Certificate(server.certPem);
    expect(cert.subjectAltName).toBe('DNS:localhost, IP Address:127.0.0.1, IP Address:192.0.2.1');
    expect(cert.checkIssued(new X509Certificate(ca.certPem))).toBe(true);
  });

  it('marks ECDSA leaf keys for signing only (RFC 5480: no keyEncipherment)', async () => {
    const ca = await createCa('kumi-test');
    const server = await issueServerCert(ca, { commonName: 'kumi', dnsNames: ['localhost'], ipAddresses: [] });
    const usage = new x509.X509Certificate(server.certPem).getExtension(x509.KeyUsagesExtension);
    expect(usage?.usages).toBe(x509.KeyUsageFlags.digitalSignature);
    expect(usage?.critical).toBe(true);
  });

  it('refuses an address that is not an IP', async () => {
    const ca = await createCa('kumi-test');
    await expect(issueServerCert(ca, { commonName: 'kumi', dnsNames: [], ipAddresses: ['300.1.1.1'] })).rejects.toThrow(/invalid IP address/);
  });
});

describe('signClientCsr', () => {
  it('signs a CSR for the enrolled host as a client certificate', async () => {
    const ca = await createCa('kumi-test');
    const { csrPem } = await createKeyAndCsr('worker1');
    const certPem = await signClientCsr(ca, csrPem, 'worker1');
    expect(verifyPeerCert(certPem, ca.certPem)).toEqual({ ok: true, commonName: 'worker1' });
  });

  it('refuses a CSR for another host name', async () => {
    const ca = await createCa('kumi-test');
    const { csrPem } = await createKeyAndCsr('worker1');
    await expect(signClientCsr(ca, csrPem, 'master1')).rejects.toThrow(/is for "worker1", not for host "master1"/);
  });

  it('refuses a request that is not a CSR', async () => {
    const ca = await createCa('kumi-test');
    await expect(signClientCsr(ca, 'garbage', 'worker1')).rejects.toThrow(/not a valid PEM PKCS#10/);
  });
});

describe('verifyPeerCert', () => {
  it('refuses a certificate from another CA', async () => {
    const ca = await createCa('kumi-test');
    const other = await createCa('kumi-other');
    const { csrPem } = await createKeyAndCsr('worker1');
    const foreign = await signClientCsr(other, csrPem, 'worker1');
    expect(verifyPeerCert(foreign, ca.certPem)).toEqual({ ok: false, reason: expect.stringMatching(/not issued by this cluster's CA/) });
  });

  it('refuses a server certificate used as a client certificate', async () => {
    const ca = await createCa('kumi-test');
    const server = await issueServerCert(ca, { commonName: 'kumi', dnsNames: ['localhost'], ipAddresses: [] });
    expect(verifyPeerCert(server.certPem, ca.certPem)).toEqual({ ok: false, reason: 'the certificate is not a client certificate' });
  });

  it('refuses a certificate outside its validity', async () => {
    const ca = await createCa('kumi-test');
    const { csrPem } = await createKeyAndCsr('worker1');
    const certPem = await signClientCsr(ca, csrPem, 'worker1');
    const later = new Date(Date.now() + 400 * 86400_000);
    expect(verifyPeerCert(certPem, ca.certPem, later)).toMatchObject({ ok: false, reason: expect.stringMatching(/not valid now/) });
  });
});

describe('mutual TLS with the issued certificates', () => {
  it('completes a handshake in which each side checks the other against the CA', async () => {
    const ca = await createCa('kumi-test');
    const server = await issueServerCert(ca, { commonName: 'kumi', dnsNames: ['localhost'], ipAddresses: ['127.0.0.1'] });
    const agent = await createKeyAndCsr('worker1');
    const agentCert = await signClientCsr(ca, agent.csrPem, 'worker1');
    const tlsServer = createServer({ key: server.keyPem, cert: server.certPem, ca: ca.certPem, requestCert: true, rejectUnauthorized: true }, (socket) => {
      socket.end((socket.getPeerCertificate().subject as { CN: string }).CN);
    });
    tlsServer.listen(0, '127.0.0.1');
    await once(tlsServer, 'listening');
    try {
      const { port } = tlsServer.address() as AddressInfo;
      const socket: TLSSocket = connect({ host: '127.0.0.1', port, ca: ca.certPem, key: agent.keyPem, cert: agentCert, servername: 'localhost' });
      const chunks: Buffer[] = [];
      socket.on('data', (chunk: Buffer) => chunks.push(chunk));
      await once(socket, 'end');
      expect(Buffer.concat(chunks).toString()).toBe('worker1');
      expect(caPin(ca.certPem)).toMatch(/^sha256:[0-9a-f]{64}$/);
    } finally {
      tlsServer.close();
    }
  });
});
