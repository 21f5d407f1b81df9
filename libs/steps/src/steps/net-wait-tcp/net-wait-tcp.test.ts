import { createServer } from 'node:net';
import type { Server } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { familyFacts } from '../../testing/host-facts';
import { planFor } from '../../testing/plan-for';
import { netWaitTcp } from './net-wait-tcp';

let server: Server | undefined;

afterEach(async () => {
  await new Promise<void>((resolve) => (server === undefined ? resolve() : server.close(() => resolve())));
  server = undefined;
});

async function listenOnLoopback(): Promise<number> {
  server = createServer((socket) => socket.destroy());
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return (server.address() as { port: number }).port;
}

/** A loopback port nobody listens on: bound, then released. */
async function closedLoopbackPort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const port = (probe.address() as { port: number }).port;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

describe.each(familyFacts)('net.wait-tcp plans on $os.id', (facts) => {
  it('no-op when the endpoint already accepts connections', async () => {
    const port = await listenOnLoopback();
    const result = await planFor(netWaitTcp, facts, {}, { host: '127.0.0.1', port, timeoutSeconds: 5, what: 'API server' });
    expect(result.lines).toEqual([]);
    expect(result.noop).toBe(`API server at 127.0.0.1:${port} already accepts TCP connections`);
  });

  it('waits, bounded by timeoutSeconds, when nothing listens', async () => {
    const port = await closedLoopbackPort();
    const result = await planFor(netWaitTcp, facts, {}, { host: '127.0.0.1', port, timeoutSeconds: 7 });
    expect(result.lines).toEqual([
      `wait for 127.0.0.1:${port} (up to 7s)  # 127.0.0.1:${port} does not accept TCP connections yet`,
    ]);
    expect(result.plan.actions[0]).toMatchObject({
      kind: 'wait',
      until: { kind: 'tcp', host: '127.0.0.1', port },
      timeoutMs: 7000,
      intervalMs: 1000,
    });
  });
});

describe('net.wait-tcp parameters', () => {
  it.each([
    [{ host: '', port: 80, timeoutSeconds: 5 }, 'host'],
    [{ host: 'a', port: 0, timeoutSeconds: 5 }, 'port'],
    [{ host: 'a', port: 65536, timeoutSeconds: 5 }, 'port'],
    [{ host: 'a', port: 80.5, timeoutSeconds: 5 }, 'port'],
    [{ host: 'a', port: 80, timeoutSeconds: 0 }, 'timeoutSeconds'],
    [{ host: 'a', port: 80 }, 'timeoutSeconds'],
    [{ host: 'a', port: 80, timeoutSeconds: 5, extra: 1 }, ''],
  ])('rejects %j (field %s)', (params, field) => {
    const result = netWaitTcp.params.safeParse(params);
    expect(result.success).toBe(false);
    if (field !== '') expect(result.error?.issues[0]?.path).toEqual([field]);
  });
});
