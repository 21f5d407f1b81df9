import { type ServerDuplexStream, status } from '@grpc/grpc-js';
import type { AgentMessage__Output, CoordinatorMessage, Hello__Output } from '@kumi/proto';
import type { Logger } from '../logging/logger';
import type { HostRegistry } from '../state/host-registry';
import type { AgentRegistry, AgentSession } from './agent-registry';
import { authenticatePeer } from './peer-identity';
import type { RunBroker } from './run-broker';
import { statusError } from './status-error';

/** What the Attach handler needs. */
export interface AttachDeps {
  caCertPem: string;
  hosts: HostRegistry;
  agents: AgentRegistry;
  broker: RunBroker;
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
  return (call: AttachCall) => {
    const fail = (code: status, message: string) => {
      deps.logger.warn({ peer: call.getPeer(), code: status[code] }, `attach refused: ${message}`);
      call.emit('error', statusError(code, message));
    };
    const pending: AgentMessage__Output[] = [];
    const buffer = (message: AgentMessage__Output) => pending.push(message);
    // Messages may arrive while the certificate is being checked: keep them in order.
    call.on('data', buffer);
    call.on('error', () => undefined);

    authenticatePeer(call, deps.caCertPem, deps.hosts).then(
      (identity) => {
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
            // The caller may have gone while its certificate was being checked.
            if (call.cancelled || call.destroyed) return;
            session = openSession(call, message.hello, deps);
            return;
          }
          if (message.body === 'event' && message.event) {
            const ackSeq = deps.broker.accept(session, message.event);
            if (ackSeq !== undefined) session.send({ ack: { runId: message.event.runId, seq: ackSeq } });
          } else if (message.body === 'hello') {
            deps.logger.warn({ host: session.hostName }, 'second Hello on one Attach stream ignored');
          }
        };
        call.off('data', buffer);
        for (const message of pending.splice(0)) handle(message);
        call.on('data', handle);

        const closed = () => {
          clearTimeout(helloTimer);
          if (!session) return;
          deps.agents.detach(session);
          deps.logger.info({ host: session.hostName, sessionId: session.sessionId }, 'agent detached');
        };
        call.on('end', () => {
          closed();
          call.end();
        });
        call.on('cancelled', closed);
        call.on('close', closed);
      },
      (error: Error & { code?: number; details?: string }) => {
        if (typeof error.code === 'number') fail(error.code, error.details ?? error.message);
        else fail(status.INTERNAL, `could not check the client certificate: ${error.message}`);
      },
    );
  };
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
