import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import { caPin, createCa, createKeyAndCsr, issueServerCert, signClientCsr } from '@kumi/trust';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AgentConfig } from '../config/agent-config';
import { saveCredentials } from '../state/credentials-store';
import { FatalAgentError, obtainIdentity } from './obtain-identity';

describe('obtainIdentity', () => {
  let stateDir: string;
  const logger = pino({ level: 'silent' });
  const signal = new AbortController().signal;

  beforeEach(async () => {
    stateDir = await mkdtemp(join(tmpdir(), 'kumi-agent-identity-'));
  });
  afterEach(async () => {
    await rm(stateDir, { recursive: true, force: true });
  });

  async function enrolled(hostName: string): Promise<{ pin: string }> {
    const ca = await createCa('identity-test-ca');
    const { keyPem, csrPem } = await createKeyAndCsr(hostName);
    await saveCredentials(stateDir, { keyPem, certPem: await signClientCsr(ca, csrPem, hostName), caPem: ca.certPem });
    return { pin: caPin(ca.certPem) };
  }

  const config = (pin: string, token?: string): AgentConfig => ({ coordinator: '127.0.0.1:1', caPin: pin, stateDir, root: '/', token });

  it('reuses the stored certificate without a token', async () => {
    const { pin } = await enrolled('cp1');
    const identity = await obtainIdentity(config(pin), 'cp1', logger, signal);
    expect(identity?.certPem).toContain('BEGIN CERTIFICATE');
  });

  it('refuses a stored CA that does not match the pin', async () => {
    await enrolled('cp1');
    await expect(obtainIdentity(config(`sha256:${'1'.repeat(64)}`), 'cp1', logger, signal)).rejects.toThrow(/another cluster.*Fix --ca-pin/);
  });

  it('refuses to attach under another host name than the one enrolled', async () => {
    const { pin } = await enrolled('cp1');
    await expect(obtainIdentity(config(pin), 'cp2', logger, signal)).rejects.toThrow(/enrolled as "cp1".*--host-name cp1/);
  });

  it('gives up at once, naming the fix, when the coordinator certificate does not name its address', async () => {
    const ca = await createCa('identity-test-ca');
    const serving = await issueServerCert(ca, { commonName: 'kumi', dnsNames: [], ipAddresses: ['127.0.0.2'] });
    const server = createTlsServer({ cert: `${serving.certPem}\n${ca.certPem}`, key: serving.keyPem, ALPNProtocols: ['h2'] }, (socket) => socket.on('error', () => undefined));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const settings: AgentConfig = { ...config(caPin(ca.certPem), 'abcdef.0123456789abcdef'), coordinator: `127.0.0.1:${port}` };
      const error = await obtainIdentity(settings, 'cp1', logger, AbortSignal.timeout(5_000)).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(FatalAgentError);
      expect((error as Error).message).toMatch(/certificate does not name 127\.0\.0\.1 .*kumi init --address 127\.0\.0\.1/);
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  it('keeps retrying while the coordinator refuses connections, until stopped', async () => {
    const ca = await createCa('identity-test-ca');
    const stop = AbortSignal.timeout(400);
    await expect(obtainIdentity(config(caPin(ca.certPem), 'abcdef.0123456789abcdef'), 'cp1', logger, stop)).resolves.toBeUndefined();
    expect(stop.aborted).toBe(true);
  });

  it('says where to put a token when there is neither certificate nor token', async () => {
    const error = await obtainIdentity(config(`sha256:${'1'.repeat(64)}`), 'cp1', logger, signal).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(FatalAgentError);
    expect((error as Error).message).toMatch(/no bootstrap token: .*--token-file/);
  });
});
