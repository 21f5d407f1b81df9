import { execFile } from 'node:child_process';

/** Runs `systemctl daemon-reload`; the error names the likely cause (no systemd). */
export function systemctlDaemonReload(): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = execFile('systemctl', ['daemon-reload'], { encoding: 'utf8' }, (error, _stdout, stderr) => {
      if (!error) return resolve();
      const detail = (stderr || error.message).trim().split('\n').slice(-2).join(' ');
      reject(
        new Error(
          `\`systemctl daemon-reload\` failed (${detail}): the unit was written, but systemd did not load it; ` +
            'kumi-agent needs systemd as the init system (PID 1). Fix that, then run `kumi-agent install` again',
        ),
      );
    });
    child.stdin?.end();
  });
}
