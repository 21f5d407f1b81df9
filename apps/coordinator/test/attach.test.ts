import { status } from '@grpc/grpc-js';
import { createCa, createKeyAndCsr, signClientCsr } from '@kumi/trust';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { enrollAgent, FakeAgentStream } from './helpers/fake-agent';
import { startTestCluster, type TestCluster } from './helpers/test-cluster';

let cluster: TestCluster;
const streams: FakeAgentStream[] = [];

beforeEach(async () => {
  cluster = await startTestCluster({ helloTimeoutMs: 1_000 });
});
afterEach(async () => {
  for (const stream of streams.splice(0)) stream.drop();
  await cluster.close();
});

function open(identity?: { keyPem: string; certPem: string }): FakeAgentStream {
  const stream = new FakeAgentStream(cluster.address, cluster.material.caCertPem, identity);
  streams.push(stream);
  return stream;
}

async function enrolled(hostName: string) {
  const { token } = await cluster.state.tokens.create({ ttlMs: 60_000, host: hostName });
  return enrollAgent(cluster.address, cluster.material.caCertPem, token, hostName);
}

async function expectRefused(stream: FakeAgentStream, code: status, text: RegExp | string) {
  const ended = await stream.waitEnded();
  expect(ended).not.toBe('ok');
  if (ended === 'ok') return;
  expect(status[ended.code]).toBe(status[code]);
  if (typeof text === 'string') expect(ended.details).toContain(text);
  else expect(ended.details).toMatch(text);
  expect(cluster.coordinator.agents.list()).toEqual([]);
}

describe('Attach', () => {
  it('registers an enrolled host with the facts of its Hello', async () => {
    const identity = await enrolled('cp1');
    const stream = open(identity);
    stream.hello('cp1');
    const session = await stream.waitFor(() => cluster.coordinator.agents.get('cp1'));
    expect(session.facts?.kernel).toBe('6.1.0-test');
    expect(session.agentVersion).toBe('0.0.0-test');
    expect(stream.ended).toBeUndefined();
  });

  it('refuses a client without a certificate', async () => {
    const stream = open();
    stream.hello('cp1');
    await expectRefused(stream, status.UNAUTHENTICATED, 'needs a client certificate issued by this cluster\'s CA');
  });

  it('refuses a client certificate from another CA', async () => {
    const otherCa = await createCa('other-ca');
    const { keyPem, csrPem } = await createKeyAndCsr('cp1');
    const certPem = await signClientCsr(otherCa, csrPem, 'cp1');
    const stream = open({ keyPem, certPem });
    stream.hello('cp1');
    await expectRefused(stream, status.UNAUTHENTICATED, 'issued by another CA');
  });

  it('refuses a Hello whose host name is not the certificate CN', async () => {
    const identity = await enrolled('cp1');
    const stream = open(identity);
    stream.hello('cp2');
    await expectRefused(stream, status.PERMISSION_DENIED, 'Hello.host_name "cp2" does not match the client certificate\'s CN "cp1"');
  });

  it('refuses a certificate of this CA for a host that never enrolled', async () => {
    const { keyPem, csrPem } = await createKeyAndCsr('ghost');
    const certPem = await signClientCsr({ certPem: cluster.material.caCertPem, keyPem: cluster.material.caKeyPem }, csrPem, 'ghost');
    const stream = open({ keyPem, certPem });
    stream.hello('ghost');
    await expectRefused(stream, status.PERMISSION_DENIED, 'host "ghost" is not enrolled');
  });

  it('refuses the older certificate after a host enrolled again', async () => {
    const first = await enrolled('cp1');
    await enrolled('cp1');
    const stream = open(first);
    stream.hello('cp1');
    await expectRefused(stream, status.PERMISSION_DENIED, 'replaced by a later enrollment');
  });

  it('refuses a stream that does not start with Hello, or sends none in time', async () => {
    const identity = await enrolled('cp1');
    const early = open(identity);
    early.event({ runId: 'r', seq: 1, kind: 'EVENT_KIND_START' });
    await expectRefused(early, status.FAILED_PRECONDITION, 'first message on Attach must be a Hello');

    const silent = open(identity);
    await expectRefused(silent, status.DEADLINE_EXCEEDED, 'no Hello received');
  });

  it('keeps one stream per host: a new Attach replaces the old one', async () => {
    const identity = await enrolled('cp1');
    const first = open(identity);
    first.hello('cp1');
    const firstSession = await first.waitFor(() => cluster.coordinator.agents.get('cp1'));
    const second = open(identity);
    second.hello('cp1');
    const ended = await first.waitEnded();
    expect(ended !== 'ok' && ended.code).toBe(status.ABORTED);
    expect(ended !== 'ok' && ended.details).toContain('replaced by a newer Attach');
    const current = await second.waitFor(() => {
      const session = cluster.coordinator.agents.get('cp1');
      return session && session.sessionId !== firstSession.sessionId ? session : undefined;
    });
    expect(cluster.coordinator.agents.list()).toEqual([current]);
    expect(second.ended).toBeUndefined();
  });
});
