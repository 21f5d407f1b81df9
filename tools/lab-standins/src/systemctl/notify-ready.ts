import { spawn } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * systemd's side of sd_notify for one Type=notify start job: a datagram socket the service
 * finds in $NOTIFY_SOCKET; the job ends when the service sends READY=1, fails when the
 * service dies first or TimeoutStartSec passes (systemd src/core/service.c
 * service_notify_message / service_enter_running, v252; sd_notify(3)). Node has no unix
 * datagram sockets, so the host's python3 (Debian's, in every lab host) holds the socket.
 */
export interface NotifyListener {
  /** The value for the service's NOTIFY_SOCKET. */
  socketPath: string;
  /** Resolves true on READY=1, false when `dead()` turns true or the timeout passes first. */
  ready(timeoutMs: number, dead: () => boolean): Promise<boolean>;
}

const LISTENER = [
  'import socket, sys',
  's = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)',
  's.bind(sys.argv[1])',
  'print("bound", flush=True)',
  'while True:',
  '    if b"READY=1" in s.recv(4096).split(b"\\n"):',
  '        sys.exit(0)',
].join('\n');

/** Binds a notify socket for the unit `key` under /run/kumi-lab/notify. */
export async function openNotifySocket(key: string): Promise<NotifyListener> {
  const dir = '/run/kumi-lab/notify';
  mkdirSync(dir, { recursive: true });
  const socketPath = path.join(dir, `${key}.sock`);
  rmSync(socketPath, { force: true });
  const child = spawn('python3', ['-c', LISTENER, socketPath], { stdio: ['ignore', 'pipe', 'ignore'] });
  let exitCode: number | null | undefined;
  child.once('exit', (code) => {
    exitCode = code;
  });
  await new Promise<void>((resolve, reject) => {
    child.stdout.once('data', () => resolve());
    child.once('exit', () => reject(new Error(`could not bind the notify socket ${socketPath}`)));
  });
  return {
    socketPath,
    async ready(timeoutMs, dead) {
      const deadline = Date.now() + timeoutMs;
      // Polled every 50 ms, bounded by the start timeout.
      while (exitCode === undefined && Date.now() < deadline && !dead()) await sleep(50);
      const ok = exitCode === 0;
      if (exitCode === undefined) child.kill('SIGKILL');
      rmSync(socketPath, { force: true });
      return ok;
    },
  };
}
