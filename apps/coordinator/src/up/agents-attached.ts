import { formatDuration } from '../cli/duration';
import type { AgentsAttachedWaiter } from '../plan';
import type { AgentRegistry } from '../server/agent-registry';
import type { HostRegistry } from '../state/host-registry';

/** How often the waiter re-reads enrollments. */
const TICK_MS = 2_000;
/** A wait that has not changed is still reported this often, with its elapsed time. */
const REMIND_MS = 30_000;

/** A waiter that failed: the hosts still missing are named with the fix. */
export class AgentsNotAttachedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AgentsNotAttachedError';
  }
}

/**
 * Waits until every listed host has an attached agent, at most timeoutMs. Reports "n of
 * m attached" with the missing hosts (and which of them never enrolled) whenever that
 * changes.
 */
export function agentsAttachedWaiter(agents: AgentRegistry, enrolled: HostRegistry, timeoutMs: number): AgentsAttachedWaiter {
  return async (hosts, context) => {
    const started = Date.now();
    let lastText = '';
    let lastReport = 0;
    const missingNow = () => hosts.filter((host) => agents.get(host) === undefined);
    const describe = async (missing: string[]) => {
      const known = new Set((await enrolled.list()).map((host) => host.hostName));
      const notEnrolled = missing.filter((host) => !known.has(host));
      const waiting = missing.filter((host) => known.has(host));
      return [
        `${hosts.length - missing.length} of ${hosts.length} agents attached`,
        ...(waiting.length ? [`waiting for ${waiting.join(', ')}`] : []),
        ...(notEnrolled.length ? [`never enrolled: ${notEnrolled.join(', ')} (give each its cloud-init from \`kumi cloud-init\`, or a token from \`kumi token create --host NAME\`)`] : []),
      ].join('; ');
    };
    await new Promise<void>((resolve, reject) => {
      let settled = false;
      const finish = (error?: Error) => {
        if (settled) return;
        settled = true;
        clearInterval(timer);
        unsubscribe();
        context.signal.removeEventListener('abort', onAbort);
        if (error) reject(error);
        else resolve();
      };
      const check = async () => {
        const missing = missingNow();
        if (missing.length === 0) return finish();
        const text = await describe(missing);
        if (settled) return;
        if (Date.now() - started >= timeoutMs) {
          return finish(new AgentsNotAttachedError(`not every agent attached within ${formatDuration(timeoutMs)}: ${text}; start the missing agents (or raise --attach-timeout) and run the command again`));
        }
        const now = Date.now();
        if (text !== lastText || now - lastReport >= REMIND_MS) {
          context.onProgress(text === lastText ? `${text} (still waiting after ${formatDuration(now - started)})` : text);
          lastReport = now;
        }
        lastText = text;
      };
      const tick = () => void check().catch((error: Error) => finish(error));
      const onAbort = () => finish(new Error('cancelled while waiting for agents to attach'));
      const unsubscribe = agents.subscribe({ attached: tick, detached: tick });
      context.signal.addEventListener('abort', onAbort, { once: true });
      const timer = setInterval(tick, Math.min(TICK_MS, Math.max(10, timeoutMs)));
      tick();
    });
  };
}
