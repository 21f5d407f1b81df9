import { flag, parseArgs } from '../common/flags';
import { hostEnv } from '../common/host-env';
import { runCerts } from './certs-cmd';
import { runConfig } from './config-cmd';
import { defaultContext, type KubeadmContext } from './cli-context';
import { runInit } from './init';
import { runJoin } from './join';
import { KubeadmError } from './kubeadm-error';
import { runReset } from './reset';
import { runToken } from './token-cmd';
import { runUploadCertsPhase } from './upload-certs-cmd';
import { runUpgrade } from './upgrade';
import { hostKubeadmVersion } from './version-cmd';

const BOOLEAN_FLAGS = new Set(['upload-certs', 'print-join-command', 'control-plane', 'force', 'f', 'skip-token-print', 'skip-certificate-key-print', 'dry-run', 'discovery-token-unsafe-skip-ca-verification', 'help', 'h', 'yes', 'y']);

/** Runs one kubeadm command line; returns the exit code. */
export async function kubeadmMain(argv: readonly string[], ctx: KubeadmContext = defaultContext(hostEnv())): Promise<number> {
  try {
    const args = parseArgs(argv, BOOLEAN_FLAGS, { f: 'force', v: 'v', o: 'output' });
    const [command, ...rest] = args.positionals;
    const sub = { ...args, positionals: rest };
    if (command === 'init' && rest[0] === 'phase') {
      if (rest[1] !== 'upload-certs') throw new KubeadmError(`the lab's kubeadm runs only the "upload-certs" phase on its own, not "${rest[1] ?? ''}"`);
      await runUploadCertsPhase({ ...args, positionals: rest.slice(2) }, ctx);
    } else if (command === 'init') await runInit(sub, ctx);
    else if (command === 'join') await runJoin(sub, ctx);
    else if (command === 'token') await runToken(sub, ctx);
    else if (command === 'config') await runConfig(sub, ctx);
    else if (command === 'certs') await runCerts(sub, ctx);
    else if (command === 'reset') await runReset(sub, ctx);
    else if (command === 'upgrade') await runUpgrade(sub, ctx);
    else if (command === 'version') ctx.out(hostKubeadmVersion(flag(args, 'output')));
    else throw new KubeadmError(`unknown command "${command ?? ''}" for "kubeadm"\nRun 'kubeadm --help' for usage.`);
    return 0;
  } catch (err) {
    if (err instanceof KubeadmError) ctx.err(err.render());
    else ctx.err(`${(err as Error).message}\nTo see the stack trace of this error execute with --v=5 or higher\n`);
    return 1;
  }
}
