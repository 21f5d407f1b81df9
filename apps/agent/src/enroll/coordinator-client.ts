import { credentials, type ChannelOptions } from '@grpc/grpc-js';
import { kumiV1, type CoordinatorClient } from '@kumi/proto';

const CHANNEL_OPTIONS: ChannelOptions = {
  // Detects a coordinator that vanished without closing TCP; grpc-js servers accept
  // pings at this rate by default.
  'grpc.keepalive_time_ms': 300_000,
  'grpc.keepalive_timeout_ms': 20_000,
};

/**
 * A Coordinator client that trusts only `caPem` (the pinned cluster CA), optionally
 * presenting the agent's certificate (mutual TLS).
 */
export function coordinatorClient(address: string, caPem: string, identity?: { keyPem: string; certPem: string }): CoordinatorClient {
  const creds = identity
    ? credentials.createSsl(Buffer.from(caPem), Buffer.from(identity.keyPem), Buffer.from(identity.certPem))
    : credentials.createSsl(Buffer.from(caPem));
  const Coordinator = kumiV1().Coordinator;
  return new Coordinator(address, creds, CHANNEL_OPTIONS);
}
