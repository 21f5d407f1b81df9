/** One preflight finding, like kubeadm's checkers: an error stops the build, a warning does not. */
export interface PreflightFinding {
  /** Stable check name, usable in params.ignore. */
  check: string;
  severity: 'error' | 'warning';
  message: string;
}

/** A socket listening on a TCP port and who holds it. */
export interface Listener {
  port: number;
  process: string | undefined;
}

/** Parses `ss -Hltnp`: local address in column 4, process in users:(("name",...)). */
export function parseListeners(output: string): Listener[] {
  const listeners: Listener[] = [];
  for (const line of output.split('\n')) {
    const columns = line.trim().split(/\s+/);
    const local = columns[3];
    if (local === undefined) continue;
    const port = Number(local.slice(local.lastIndexOf(':') + 1));
    if (!Number.isInteger(port) || port <= 0) continue;
    listeners.push({ port, process: /users:\(\("([^"]+)"/.exec(line)?.[1] });
  }
  return listeners;
}
