import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseBootstrapToken } from '@kumi/trust';
import { runStep } from './helpers/control';
import { callEnroll, coordinatorClient, enrollAgent, FakeAgentStream } from './helpers/fake-agent';
import { startTestCluster, type TestCluster } from './helpers/test-cluster';

let cluster: TestCluster | undefined;
let agent: FakeAgentStream | undefined;

afterEach(async () => {
  agent?.drop();
  await cluster?.close();
});

/** The base64 body of a PEM, the part that would leak if logged. */
function pemBody(pem: string): string {
  return pem.split('\n').filter((line) => line && !line.startsWith('-----')).join('');
}

describe('secrets never reach the log or the state files', () => {
  it('keeps token secrets, private keys and step secrets out of kumi.log and the state files', async () => {
    cluster = await startTestCluster();
    const created = await cluster.state.tokens.create({ ttlMs: 60_000, host: 'cp1' });
    const { secret } = parseBootstrapToken(created.token);
    const identity = await enrollAgent(cluster.address, cluster.material.caCertPem, created.token, 'cp1');

    // Refused attempts log too: reused token, malformed token holding a secret-looking text.
    const client = coordinatorClient(cluster.address, cluster.material.caCertPem);
    await callEnroll(client, { token: created.token, csrPem: '-----BEGIN CERTIFICATE REQUEST-----', hostName: 'cp1' }).catch(() => undefined);
    await callEnroll(client, { token: 'MALFORMED-zz9secretzz9', csrPem: '-----BEGIN CERTIFICATE REQUEST-----', hostName: 'cp1' }).catch(() => undefined);
    client.close();

    agent = new FakeAgentStream(cluster.address, cluster.material.caCertPem, identity);
    agent.hello('cp1');
    await agent.waitFor(() => cluster?.coordinator.agents.get('cp1'));
    const run = runStep(cluster.coordinator.controlSocket, { host: 'cp1', step: 'kubeadm.join', secrets: { joinToken: 'qwerty.secretjoinvalue9', certificateKey: 'c0ffee-cert-key-value' } });
    const request = await agent.waitRun();
    expect(request.secrets.joinToken).toBe('qwerty.secretjoinvalue9');
    agent.event({ runId: request.runId, seq: 1, host: 'cp1', step: 'kubeadm.join', kind: 'EVENT_KIND_DONE' });
    await run.done;

    const log = await readFile(cluster.state.paths.logFile, 'utf8');
    expect(log).toContain('agent enrolled');
    expect(log).toContain('enroll refused: token already used');
    expect(log).toContain('run started');
    expect(log).toContain('joinToken'); // the name of the secret may be logged, never its value

    const stateFiles = (await readdir(cluster.state.paths.dir)).filter((name) => /\.jsonl?$/.test(name));
    const texts = [log, ...(await Promise.all(stateFiles.map((name) => readFile(join(cluster!.state.paths.dir, name), 'utf8'))))];
    const forbidden = [
      secret,
      created.token,
      'zz9secretzz9',
      'secretjoinvalue9',
      'c0ffee-cert-key-value',
      pemBody(identity.keyPem),
      pemBody(cluster.material.caKeyPem),
      pemBody(cluster.material.serverKeyPem),
      'PRIVATE KEY',
    ];
    for (const text of texts) for (const value of forbidden) expect(text).not.toContain(value);
  });
});
