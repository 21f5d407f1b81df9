import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { withPendingPhase } from '../src/apiserver/server';
import { ApiClient } from '../src/common/api-client';
import { createCa } from '../src/common/pki';

let server: https.Server | undefined;

afterEach(async () => {
  await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
  server = undefined;
});

describe('API client and server details the steps depend on', () => {
  it('rejects (instead of hanging) when the connection is cut after the headers', async () => {
    const self = await createCa('127.0.0.1', 'ECDSA-P256', new Date());
    server = https.createServer({ cert: self.certPem, key: self.key.privateKeyPem }, (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"kind":');
      setTimeout(() => res.socket?.destroy(), 50);
    });
    await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const client = new ApiClient({ server: `https://127.0.0.1:${port}` }, { insecure: true, timeoutMs: 5_000 });
    const started = Date.now();
    await expect(client.request('GET', '/api/v1/pods')).rejects.toThrow(/127\.0\.0\.1/);
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('a pod created without status (kubectl apply -f) starts Pending; a given phase is kept', () => {
    expect(withPendingPhase({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'kumi-dnsutils' } }).status).toEqual({ phase: 'Pending' });
    expect(withPendingPhase({ apiVersion: 'v1', kind: 'Pod', status: { phase: 'Running' } }).status).toEqual({ phase: 'Running' });
  });
});
