import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { credentials, Server, ServerCredentials, type ServerDuplexStream } from '@grpc/grpc-js';
import { FILE_CHUNK_BYTES, kumiV1, type AgentMessage__Output, type CoordinatorClient, type CoordinatorMessage } from '@kumi/proto';
import type { AnyStep, HostFacts } from '@kumi/steps';
import { pino } from 'pino';
import * as z from 'zod';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FactsCache } from '../facts/facts-cache';
import { Outbox } from '../state/outbox';
import { openAttachSession } from './attach-session';
import { EventRecorder } from './event-recorder';
import { BACKUPS_DIR, FileSender } from './file-sender';
import { StepRunner } from './step-runner';

type AttachCall = ServerDuplexStream<AgentMessage__Output, CoordinatorMessage>;

const FACTS = {
  hostName: 'h1',
  os: { id: 'debian', version: '12', family: 'debian', prettyName: 'Debian 12', codename: 'bookworm' },
  kernel: '6.1.0',
  arch: 'x86_64',
  cpus: 2,
  memoryBytes: 1024,
  interfaces: [],
  swap: { totalBytes: 0, usedBytes: 0, devices: [] },
  initSystem: 'systemd',
  packageManager: 'apt',
  firewall: 'none',
  cgroupVersion: 2,
  productUuid: '',
  defaultIpv4: '',
} satisfies HostFacts;

const echoStep: AnyStep = { id: 'demo.echo', title: 'Echo', params: z.object({}), check: async () => ({}), plan: () => ({ actions: [] }) };

/** A stand-in coordinator on 127.0.0.1:0 (plain h2c: this test is about the stream, not TLS). */
class FakeCoordinator {
  readonly server = new Server();
  readonly calls: { call: AttachCall; received: AgentMessage__Output[] }[] = [];
  port = 0;

  async start(): Promise<void> {
    this.server.addService(kumiV1().Coordinator.service, {
      Enroll: (_call: unknown, callback: (error: Error) => void) => callback(new Error('not used')),
      Attach: (call: AttachCall) => {
        const entry = { call, received: [] as AgentMessage__Output[] };
        this.calls.push(entry);
        call.on('data', (message: AgentMessage__Output) => entry.received.push(message));
        call.on('error', () => undefined);
      },
    });
    this.port = await new Promise<number>((resolve, reject) =>
      this.server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (error, port) => (error ? reject(error) : resolve(port))),
    );
  }

  async waitFor<T>(what: string, check: () => T | undefined): Promise<T> {
    // Generous: the machine may be busy; a passing run returns as soon as the check holds.
    const deadline = Date.now() + 15_000;
    while (Date.now() < deadline) {
      const value = check();
      if (value !== undefined) return value;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    throw new Error(`timed out waiting for ${what}`);
  }
}

const label = (message: AgentMessage__Output): string =>
  message.body === 'hello' ? `hello:${message.hello?.hostName}` : `${message.event?.runId}#${message.event?.seq}:${message.event?.kind.replace('EVENT_KIND_', '')}`;

describe('openAttachSession', () => {
  let dir: string;
  let coordinator: FakeCoordinator;
  let client: CoordinatorClient;
  let outbox: Outbox;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kumi-agent-attach-'));
    coordinator = new FakeCoordinator();
    await coordinator.start();
    client = new (kumiV1().Coordinator)(`127.0.0.1:${coordinator.port}`, credentials.createInsecure());
    outbox = Outbox.open(dir);
  });
  afterEach(async () => {
    client.close();
    coordinator.server.forceShutdown();
    outbox.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('sends Hello, replays unacked events in order before new ones, and again after a reconnect', async () => {
    const logger = pino({ level: 'silent' });
    const recorder = new EventRecorder(outbox, 'h1');
    for (const kind of ['EVENT_KIND_START', 'EVENT_KIND_PROGRESS', 'EVENT_KIND_DONE'] as const) recorder.record('old', 'demo.echo', { kind });
    const runner = new StepRunner({ recorder, logger, root: dir, facts: new FactsCache(async () => FACTS), findStep: () => echoStep });
    const context = { client, hostName: 'h1', agentVersion: '0.1.0', outbox, recorder, runner, files: new FileSender(dir, logger), logger, facts: async () => FACTS, onEstablished: () => undefined };

    const first = await openAttachSession(context);
    const one = await coordinator.waitFor('first stream', () => (coordinator.calls[0]?.received.length === 4 ? coordinator.calls[0] : undefined));
    expect(one.received.map(label)).toEqual(['hello:h1', 'old#1:START', 'old#2:PROGRESS', 'old#3:DONE']);
    expect(one.received[0]?.hello?.facts).toMatchObject({ hostName: 'h1', os: { family: 'debian' }, cgroupVersion: 2 });

    one.call.write({ ack: { runId: 'old', seq: 2 } });
    one.call.write({ run: { runId: 'new', step: 'demo.echo', paramsJson: '{}', secrets: {}, dryRun: false } });
    await coordinator.waitFor('the new run to end', () => (one.received.length === 6 ? true : undefined));
    expect(one.received.slice(4).map(label)).toEqual(['new#1:START', 'new#2:NOOP']);
    expect(outbox.pending().map((event) => `${event.runId}#${event.seq}`)).toEqual(['old#3', 'new#1', 'new#2']);

    one.call.end();
    expect(await first.ended).toBe('the coordinator closed the stream');

    // Made while no stream is open: waits in the outbox.
    recorder.record('late', 'demo.echo', { kind: 'EVENT_KIND_START' });
    const second = await openAttachSession(context);
    const two = await coordinator.waitFor('second stream', () => (coordinator.calls[1]?.received.length === 5 ? coordinator.calls[1] : undefined));
    expect(two.received.map(label)).toEqual(['hello:h1', 'old#3:DONE', 'new#1:START', 'new#2:NOOP', 'late#1:START']);

    for (const [runId, seq] of [['old', 3], ['new', 2], ['late', 1]] as const) two.call.write({ ack: { runId, seq } });
    await coordinator.waitFor('acks to prune the outbox', () => (outbox.pending().length === 0 ? true : undefined));
    second.close();
    expect(await second.ended).toMatch(/stream failed: .*cancel/i);
  });

  it('answers a FetchFile on the stream with the file in bounded chunks and its SHA-256, outside the outbox', async () => {
    const logger = pino({ level: 'silent' });
    const recorder = new EventRecorder(outbox, 'h1');
    const runner = new StepRunner({ recorder, logger, root: dir, facts: new FactsCache(async () => FACTS), findStep: () => echoStep });
    const bytes = Buffer.alloc(FILE_CHUNK_BYTES * 3 + 5, 9);
    await mkdir(join(dir, BACKUPS_DIR), { recursive: true });
    await writeFile(join(dir, BACKUPS_DIR, 'etcd.db'), bytes);
    const session = await openAttachSession({ client, hostName: 'h1', agentVersion: '0.1.0', outbox, recorder, runner, files: new FileSender(dir, logger), logger, facts: async () => FACTS, onEstablished: () => undefined });
    const stream = await coordinator.waitFor('the stream', () => (coordinator.calls[0]?.received.length === 1 ? coordinator.calls[0] : undefined));
    stream.call.write({ fetch: { fetchId: 'f1', name: 'etcd.db', maxBytes: 1 << 30 } });
    const chunks = await coordinator.waitFor('the last chunk', () => (stream.received.some((m) => m.chunk?.last) ? stream.received.filter((m) => m.chunk).map((m) => m.chunk!) : undefined));
    expect(chunks.map((chunk) => [chunk.fetchId, chunk.offset, chunk.data.length])).toEqual([
      ['f1', 0, FILE_CHUNK_BYTES],
      ['f1', FILE_CHUNK_BYTES, FILE_CHUNK_BYTES],
      ['f1', 2 * FILE_CHUNK_BYTES, FILE_CHUNK_BYTES],
      ['f1', 3 * FILE_CHUNK_BYTES, 5],
      ['f1', bytes.length, 0],
    ]);
    expect(Buffer.concat(chunks.map((chunk) => chunk.data)).equals(bytes)).toBe(true);
    expect(chunks.at(-1)).toMatchObject({ last: true, totalBytes: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex'), error: '' });
    expect(outbox.pending()).toEqual([]);
    session.close();
    await session.ended;
  });
});
