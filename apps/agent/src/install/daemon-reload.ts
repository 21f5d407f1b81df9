import { execa } from 'execa';

/** Runs `systemctl daemon-reload`; the error names the likely cause (no systemd). */
export async function systemctlDaemonReload(): Promise<void> {
  const result = await execa('systemctl', ['daemon-reload'], { reject: false, stdin: 'ignore' });
  if (result.exitCode !== 0 || result.failed) {
    const detail = (result.stderr || result.shortMessage || '').trim().split('\n').slice(-2).join(' ');
    throw new Error(
      `\`systemctl daemon-reload\` failed (${detail}): the unit was written, but systemd did not load it; ` +
        'kumi-agent needs systemd as the init system (PID 1). Fix that, then run `kumi-agent install` again',
    );
  }
}
