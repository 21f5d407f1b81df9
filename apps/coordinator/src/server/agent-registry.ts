import type { AgentInfo, CoordinatorMessage, Facts__Output } from '@kumi/proto';

/** One live Attach stream of one host. */
export interface AgentSession {
  /** Unique per stream, so a late close of a replaced stream cannot remove its successor. */
  readonly sessionId: number;
  readonly hostName: string;
  readonly agentVersion: string;
  readonly peerAddress: string;
  readonly attachedSinceMs: number;
  readonly facts: Facts__Output | null;
  /** The run the host is busy with, as far as the coordinator knows. */
  busyRunId: string;
  /** Sends one message down the stream. */
  send(message: CoordinatorMessage): void;
  /** Ends the stream with a reason (the agent sees it as the status message). */
  close(reason: string): void;
}

/** Listeners for hosts coming and going. */
export interface AgentRegistryListener {
  attached?(session: AgentSession): void;
  detached?(session: AgentSession): void;
}

/** The attached agents: at most one stream per host; a new Attach replaces the old one. */
export class AgentRegistry {
  private readonly sessions = new Map<string, AgentSession>();
  private readonly listeners = new Set<AgentRegistryListener>();

  /** Registers a listener; returns a function that removes it. */
  subscribe(listener: AgentRegistryListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Makes session the host's stream, closing the one it replaces. */
  attach(session: AgentSession): void {
    const previous = this.sessions.get(session.hostName);
    this.sessions.set(session.hostName, session);
    if (previous) {
      previous.close(`replaced by a newer Attach of host "${session.hostName}" from ${session.peerAddress}`);
      for (const listener of this.listeners) listener.detached?.(previous);
    }
    for (const listener of this.listeners) listener.attached?.(session);
  }

  /** Forgets session if it is still the host's current stream; false when it was not (replaced, or closed with all). */
  detach(session: AgentSession): boolean {
    if (this.sessions.get(session.hostName)?.sessionId !== session.sessionId) return false;
    this.sessions.delete(session.hostName);
    for (const listener of this.listeners) listener.detached?.(session);
    return true;
  }

  /** The host's current stream, if attached. */
  get(hostName: string): AgentSession | undefined {
    return this.sessions.get(hostName);
  }

  /** Every attached host, sorted by name. */
  list(): AgentSession[] {
    return [...this.sessions.values()].sort((a, b) => a.hostName.localeCompare(b.hostName));
  }

  /** Closes every stream (server shutdown); returns how many there were. */
  closeAll(reason: string): number {
    const sessions = [...this.sessions.values()];
    this.sessions.clear();
    for (const session of sessions) session.close(reason);
    return sessions.length;
  }
}

/** A session as the Control service reports it. */
export function agentInfo(session: AgentSession): AgentInfo {
  return {
    hostName: session.hostName,
    agentVersion: session.agentVersion,
    peerAddress: session.peerAddress,
    attachedSinceUnixMs: session.attachedSinceMs,
    facts: session.facts,
    busyRunId: session.busyRunId,
  };
}
