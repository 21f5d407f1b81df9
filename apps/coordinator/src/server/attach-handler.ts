import { type ServerDuplexStream, status } from '@grpc/grpc-js';
import type { AgentMessage__Output, CoordinatorMessage, Hello__Output } from '@kumi/proto';
import type { FileFetcher } from '../backup/file-fetcher';
import type { Logger } from '../logging/logger';
import type { AgentRegistry, AgentSession } from './agent-registry';
import type { PeerAuthenticator, PeerIdentity } from './peer-identity';
import type { RunBroker } from './run-broker';
import { RefusalLog } from './refusal-log';
import { statusError } from './status-error';

/** What the Attach handler needs. */
export interface AttachDeps {
  peers: PeerAuthenticator;
  agents: AgentRegistry;
  broker: RunBroker;
  /** Takes the FileChunks agents send for a FetchFile (etcd snapshots). */
  files?: FileFetcher;
  logger: Logger;
  /** How long an agent has to send its Hello. */
  helloTimeoutMs?: number;
}

type AttachCall = ServerDuplexStream<AgentMessage__Output, CoordinatorMessage>;

let nextSessionId = 1;

/**
 * The Attach handler: authenticates the client certificate, waits for the Hello (whose
 * host name must be the certificate's CN), registers the stream (replacing an older one
 * of the same host), then feeds step events to the broker and acknowledges them.
 */
export function attachHandler(deps: AttachDeps) {
  // Refusals come before authentication: their log lines are bounded like Enroll's.
  const refusals = new RefusalLog(deps.logger);
  return (call: AttachCall) => {
    const fail = (code: status, message: string) => {
      refusals.warn({ peer: call.getPeer(), code: status[code] }, `attach refused: ${message}`);
      call.emit('error', statusError(code, message));
    };
    call.on('error', () => undefined);
    // Authenticated from memory, synchronously: no message can arrive before the handler listens.
    let identity: PeerIdentity;
    try {
      identity = deps.peers.authenticate(call);
    } catch (error) {
      const refusal = error as Error & { code?: number; details?: string };
      if (typeof refusal.code === 'number') fail(refusal.code, refusal.details ?? refusal.message);
      else fail(status.INTERNAL, 'the client certificate could not be checked');
      return;
    }
    serveAttach(call, identity, deps, fail);
  };
}

/** The authenticated stream: Hello first, then events for the broker. */
function serveAttach(call: AttachCall, identity: PeerIdentity, deps: AttachDeps, fail: (code: status, message: string) => void): void {
  let session: AgentSession | undefined;
  const helloTimer = setTimeout(() => {
    if (!session) fail(status.DEADLINE_EXCEEDED, 'no Hello received within the time limit: an agent must send Hello first on Attach');
  }, deps.helloTimeoutMs ?? 10_000);
  helloTimer.unref();

  const handle = (message: AgentMessage__Output) => {
    if (!session) {
      if (message.body !== 'hello' || !message.hello) {
        clearTimeout(helloTimer);
        fail(status.FAILED_PRECONDITION, 'the first message on Attach must be a Hello');
        return;
      }
      clearTimeout(helloTimer);
      if (message.hello.hostName !== identity.hostName) {
        fail(
          status.PERMISSION_DENIED,
          `Hello.host_name "${message.hello.hostName}" does not match the client certificate's CN "${identity.hostName}": an agent may only attach as the host it enrolled as`,
        );
        return;
      }
      // The caller may have gone meanwhile.
      if (call.cancelled || call.destroyed) return;
      session = openSession(call, message.hello, deps);
      return;
    }
    if (message.body === 'event' && message.event) {
      const ackSeq = deps.broker.accept(session, message.event);
      if (ackSeq !== undefined) session.send({ ack: { runId: message.event.runId, seq: ackSeq } });
    } else if (message.body === 'chunk' && message.chunk) {
      if (deps.files) deps.files.accept(session.hostName, message.chunk);
      else deps.logger.warn({ host: session.hostName }, 'file chunk dropped: this coordinator fetches no files');
    } else if (message.body === 'hello') {
      deps.logger.warn({ host: session.hostName }, 'second Hello on one Attach stream ignored');
    }
  };
  call.on('data', handle);

  const closed = () => {
    clearTimeout(helloTimer);
    if (!session) return;
    // A stream closed by closeAll (shutdown) is logged once there, not once per agent.
    if (deps.agents.detach(session)) deps.logger.info({ host: session.hostName, sessionId: session.sessionId }, 'agent detached');
  };
  call.on('end', () => {
    closed();
    call.end();
  });
  call.on('cancelled', closed);
  call.on('close', closed);
}

function openSession(call: AttachCall, hello: Hello__Output, deps: AttachDeps): AgentSession {
  let open = true;
  const session: AgentSession = {
    sessionId: nextSessionId++,
    hostName: hello.hostName,
    agentVersion: hello.agentVersion,
    peerAddress: call.getPeer(),
    attachedSinceMs: Date.now(),
    facts: hello.facts,
    busyRunId: hello.busyRunId,
    send(message) {
      if (open && !call.writableEnded && !call.destroyed) call.write(message);
    },
    close(reason) {
      if (!open) return;
      open = false;
      call.emit('error', statusError(status.ABORTED, reason));
    },
  };
  call.on('close', () => {
    open = false;
  });
  deps.agents.attach(session);
  deps.logger.info(
    { host: session.hostName, sessionId: session.sessionId, peer: session.peerAddress, agentVersion: session.agentVersion, busyRunId: session.busyRunId },
    'agent attached',
  );
  return session;
}
