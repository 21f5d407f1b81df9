import type { HostReader } from '../../step';

/**
 * The version a `--version`-style command prints: the first capture of `pattern` in its
 * stdout and stderr. undefined only when the command fails (the program is missing);
 * "unknown" when it runs but prints something unexpected, so an unparsed version never
 * reads as "not installed".
 */
export async function probeVersion(host: Pick<HostReader, 'probe'>, argv: readonly string[], pattern: RegExp): Promise<string | undefined> {
  const result = await host.probe(argv);
  if (result.exitCode !== 0) return undefined;
  return pattern.exec(`${result.stdout}\n${result.stderr}`)?.[1] ?? 'unknown';
}
