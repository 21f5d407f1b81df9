import { spawn } from 'node:child_process';

/**
 * sd_notify READY=1 to $NOTIFY_SOCKET (cri-docker.service is Type=notify; cri-dockerd calls
 * daemon.SdNotify once serving). Node has no unix datagram sockets, so Debian's python3 (in
 * every lab host) sends it. No NOTIFY_SOCKET: nothing to do.
 */
export function notifyReady(): Promise<void> {
  const target = process.env['NOTIFY_SOCKET'];
  if (target === undefined || target === '') return Promise.resolve();
  const send = 'import socket,sys; s=socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM); s.sendto(b"READY=1", sys.argv[1])';
  return new Promise((resolve) => {
    const child = spawn('python3', ['-c', send, target], { stdio: 'ignore' });
    child.on('exit', () => resolve());
    child.on('error', () => resolve());
  });
}
