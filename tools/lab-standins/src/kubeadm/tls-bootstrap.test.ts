import fs from 'node:fs';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { HostEnv } from '../common/host-env';
import { createCa, issueCert } from '../common/pki';
import { tlsBootstrap } from './tls-bootstrap';

describe('tlsBootstrap', () => {
  let host: HostEnv;
  let server: https.Server | undefined;

  beforeEach(() => {
    host = { root: fs.mkdtempSync(path.join(os.tmpdir(), 'kumi-tls-bootstrap-')), hostname: 'worker' };
  });
  afterEach(async () => {
    await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
    server = undefined;
    fs.rmSync(host.root, { recursive: true, force: true });
  });

  it('names a refused CSR upload once, with the API server message', async () => {
    const ca = await createCa('kubernetes', 'ECDSA-P256', new Date());
    const cert = await issueCert(ca, { commonName: 'kube-apiserver', ipAddresses: ['127.0.0.1'], usages: ['server'] }, 'ECDSA-P256', new Date());
    server = https.createServer({ cert: cert.certPem, key: cert.key.privateKeyPem }, (_req, res) => {
      res.writeHead(403, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ kind: 'Status', message: 'csr is forbidden' }));
    });
    await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    await expect(tlsBootstrap(host, { server: `https://127.0.0.1:${port}`, caPem: ca.certPem, clusterName: 'kubernetes' }, 'abcdef.0123456789abcdef', 'worker')).rejects.toThrow(/^error uploading crs: csr is forbidden$/);
  });

  it('names an unreachable API server as an upload error', async () => {
    const ca = await createCa('kubernetes', 'ECDSA-P256', new Date());
    // A port nobody listens on: bind one, then free it.
    const probe = https.createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const { port } = probe.address() as AddressInfo;
    await new Promise((resolve) => probe.close(resolve));
    await expect(tlsBootstrap(host, { server: `https://127.0.0.1:${port}`, caPem: ca.certPem, clusterName: 'kubernetes' }, 'abcdef.0123456789abcdef', 'worker')).rejects.toThrow(/^error uploading crs: .*127\.0\.0\.1/);
  });
});
