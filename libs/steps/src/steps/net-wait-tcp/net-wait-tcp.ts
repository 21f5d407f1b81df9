import * as z from 'zod';
import { noop } from '../../plan';
import type { Step } from '../../step';
import { tcpAccepts } from '../../tcp-accepts';

/** How long check's single connection attempt may take. */
const CHECK_CONNECT_MS = 2_000;
const POLL_INTERVAL_MS = 1_000;

/** Parameters of net.wait-tcp. */
export const netWaitTcpParams = z
  .object({
    host: z.string().min(1, 'must be a host name or IP address, e.g. "192.0.2.100"'),
    port: z
      .number('must be a TCP port number 1-65535')
      .int('must be a whole TCP port number 1-65535')
      .min(1, 'must be a TCP port number 1-65535')
      .max(65535, 'must be a TCP port number 1-65535'),
    timeoutSeconds: z
      .number('must be a number of seconds, 1-3600')
      .int('must be a whole number of seconds, 1-3600')
      .min(1, 'must be at least 1 second')
      .max(3600, 'must be at most 3600 seconds (one hour)'),
    /** Human name of the endpoint, e.g. "API server"; defaults to host:port. */
    what: z.string().min(1).optional(),
  })
  .strict();
export type NetWaitTcpParams = z.infer<typeof netWaitTcpParams>;

/** What net.wait-tcp reads: whether the endpoint accepts connections right now. */
export interface NetWaitTcpFacts {
  accepting: boolean;
}

/** Waits, bounded in time, until host:port accepts TCP connections. */
export const netWaitTcp: Step<NetWaitTcpParams, NetWaitTcpFacts> = {
  id: 'net.wait-tcp',
  title: 'Wait until a TCP endpoint accepts connections',
  params: netWaitTcpParams,

  async check(_host, params) {
    return { accepting: await tcpAccepts(params.host, params.port, CHECK_CONNECT_MS) };
  },

  plan(facts, params) {
    const endpoint = `${params.host}:${params.port}`;
    const name = params.what === undefined ? endpoint : `${params.what} at ${endpoint}`;
    if (facts.accepting) return noop(`${name} already accepts TCP connections`);
    return {
      actions: [
        {
          kind: 'wait',
          until: { kind: 'tcp', host: params.host, port: params.port },
          what: name,
          timeoutMs: params.timeoutSeconds * 1000,
          intervalMs: POLL_INTERVAL_MS,
          why: `${name} does not accept TCP connections yet`,
        },
      ],
    };
  },
};
