import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { openNotifySocket } from './notify-ready';

describe('Type=notify start job', () => {
  it('ends on READY=1 sent to $NOTIFY_SOCKET (as sd_notify sends it)', async () => {
    const listener = await openNotifySocket(`kumi-test-${process.pid}-a`);
    const send = 'import os, socket; s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM); s.sendto(b"STATUS=x\\nREADY=1\\n", os.environ["NOTIFY_SOCKET"])';
    spawn('python3', ['-c', send], { env: { ...process.env, NOTIFY_SOCKET: listener.socketPath }, stdio: 'ignore' });
    expect(await listener.ready(10_000, () => false)).toBe(true);
  });

  it('fails when the daemon dies before READY=1', async () => {
    const listener = await openNotifySocket(`kumi-test-${process.pid}-b`);
    expect(await listener.ready(10_000, () => true)).toBe(false);
  });
});
