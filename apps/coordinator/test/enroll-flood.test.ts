// Legitimate enrollment while unauthenticated clients keep 240 well-formed Enroll calls
// with unknown tokens in flight from 8 other addresses. Cost: a few seconds of CPU.
import { spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { status } from '@grpc/grpc-js';
import { afterEach, describe, expect, it } from 'vitest';
import { enrollLikeAgent, HerdStats, makeHerdKeys } from '../../../tools/bench/herd-agent';
import { startTestCluster, type TestCluster } from './helpers/test-cluster';

let cluster: TestCluster | undefined;
afterEach(async () => {
  await cluster?.close();
  cluster = undefined;
});

const FLOOD_SCRIPT = join(import.meta.dirname, '../../../tools/bench/herd-flood.ts');

/** Starts the flood process; resolves once it floods. stop() ends it and returns its answers by status. */
async function startFlood(port: number, caFile: string, inFlight: number, peers: number) {
  const child = spawn(process.execPath, ['--import', 'tsx', FLOOD_SCRIPT, '--port', String(port), '--ca', caFile, '--in-flight', String(inFlight), '--peers', String(peers)], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let errors = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (errors += chunk.toString()));
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  const deadline = Date.now() + 60_000;
  while (!out.includes('flooding') && child.exitCode === null && Date.now() < deadline) await new Promise((done) => setTimeout(done, 20));
  if (!out.includes('flooding')) {
    child.kill('SIGKILL');
    throw new Error(`the flood did not start: ${errors}`);
  }
  return {
    async stop(): Promise<{ answers: Record<string, number>; messages: string[] }> {
      child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(killer);
      const line = out.split('\n').find((text) => text.startsWith('{'));
      if (!line) throw new Error(`the flood printed no result: ${errors}`);
      return JSON.parse(line) as { answers: Record<string, number>; messages: string[] };
    },
    kill: () => child.kill('SIGKILL'),
  };
}

describe('enrollment under a flood of unauthenticated calls', () => {
  it('lets legitimate agents enroll at once while 240 bogus calls stay in flight', async () => {
    cluster = await startTestCluster();
    const { state, material, coordinator } = cluster;
    const keys = await makeHerdKeys(['legit-0', 'legit-1', 'legit-2']);
    const caFile = join(cluster.root, 'ca.pem');
    await writeFile(caFile, material.caCertPem);
    const flooding = await startFlood(coordinator.port, caFile, Number(process.env.FLOOD ?? 240), 8);
    let result: { answers: Record<string, number>; messages: string[] } | undefined;
    try {
      // Let the flood reach its 240 calls in flight.
      await new Promise((done) => setTimeout(done, 3_000));

      const stats = new HerdStats();
      for (const key of keys) {
        const token = (await state.tokens.create({ ttlMs: 60_000, host: key.hostName })).token;
        const begin = Date.now();
        const cert = await enrollLikeAgent({ ...key, token, sourceAddress: '127.0.0.1' }, coordinator.port, material.caCertPem, stats, AbortSignal.timeout(20_000));
        expect(cert, `${key.hostName} did not enroll`).toMatch(/BEGIN CERTIFICATE/);
        // A generous bound for a loaded shared 2-core machine (the benchmark measures the real
        // figure); the old coordinator made them wait 4-10 s or refused them.
        expect(Date.now() - begin).toBeLessThan(5_000);
      }
      expect(stats.permanent).toEqual([]);
      expect(stats.retries, 'a legitimate agent should not have been turned away').toBe(0);
      result = await flooding.stop();
    } finally {
      flooding.kill();
    }
    // The bogus calls were refused as unknown tokens or for their address' rate, nothing else.
    const total = Object.values(result.answers).reduce((a, b) => a + b, 0);
    // Failed token checks are answered after 1 s, so each of the 240 calls came back a few times.
    expect(total, 'the flood should have kept its calls in flight').toBeGreaterThanOrEqual(480);
    expect(Object.keys(result.answers).filter((code) => Number(code) !== status.UNAUTHENTICATED && Number(code) !== status.RESOURCE_EXHAUSTED)).toEqual([]);
    expect(await state.hosts.list()).toHaveLength(3);
  }, 90_000);
});
