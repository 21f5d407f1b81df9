import { runFile } from '../runtime/run-file';

/** Longest `systemctl daemon-reload` may take (systemd's own default job timeout is far longer). */
const DAEMON_RELOAD_TIMEOUT_MS = 60_000;

/** Runs `systemctl daemon-reload`; the error names the likely cause (no systemd). */
export async function systemctlDaemonReload(): Promise<void> {
  const { error, stderr } = await runFile('systemctl', ['daemon-reload'], DAEMON_RELOAD_TIMEOUT_MS);
  if (!error) return;
  const detail = (stderr || error.message).trim().split('\n').slice(-2).join(' ');
  throw new Error(
    `\`systemctl daemon-reload\` failed (${detail}): the unit was written, but systemd did not load it; ` +
      'kumi-agent needs systemd as the init system (PID 1). Fix that, then run `kumi-agent install` again',
  );
}
