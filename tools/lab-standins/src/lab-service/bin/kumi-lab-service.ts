// The lab's own service helper inside a host: `kumi-lab-service start NAME [--log FILE] -- CMD...`,
// `stop NAME`, `status NAME` (JSON), and `monitor NAME` (internal: the per-service monitor).
import { runServiceMonitor } from '../../host/service-monitor';
import { serviceStatus, startService, stopService } from '../../host/services';

const USAGE = 'usage: kumi-lab-service start NAME [--log FILE] [--restart no|on-failure|always] -- CMD... | stop NAME | status NAME';

async function main(argv: string[]): Promise<number> {
  const [verb, name, ...rest] = argv;
  if (!verb || !name) {
    console.error(USAGE);
    return 2;
  }
  switch (verb) {
    case 'monitor':
      await runServiceMonitor(name);
      return 0;
    case 'start': {
      const dash = rest.indexOf('--');
      if (dash < 0 || dash === rest.length - 1) {
        console.error(`kumi-lab-service start: no command after "--"\n${USAGE}`);
        return 2;
      }
      const flags = rest.slice(0, dash);
      const flag = (f: string) => (flags.includes(f) ? flags[flags.indexOf(f) + 1] : undefined);
      const restart = flag('--restart');
      if (restart !== undefined && !['no', 'on-failure', 'always'].includes(restart)) {
        console.error(`kumi-lab-service: --restart must be no, on-failure or always (got ${restart})`);
        return 2;
      }
      const record = await startService(name, rest.slice(dash + 1), {
        logFile: flag('--log'),
        restart: restart as 'no' | 'on-failure' | 'always' | undefined,
        env: { ...process.env } as Record<string, string>,
      });
      if (record.state === 'failed') {
        console.error(`kumi-lab-service: ${name} failed to start (exit ${record.exitCode ?? record.signal}); see ${record.logFile}`);
        return 1;
      }
      console.log(JSON.stringify(record));
      return 0;
    }
    case 'stop':
      await stopService(name);
      return 0;
    case 'status': {
      const status = serviceStatus(name);
      console.log(JSON.stringify(status));
      return status.active === 'active' ? 0 : 3;
    }
    default:
      console.error(`kumi-lab-service: unknown verb ${verb}\n${USAGE}`);
      return 2;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    console.error(`kumi-lab-service: ${(err as Error).message}`);
    process.exitCode = 1;
  },
);
