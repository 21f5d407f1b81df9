import type { HostFacts } from '../../facts';
import type { Secret } from '../../secret';
import type { HostReader, ProbeResult } from '../../step';

/** A probe answer keyed by the argv joined with spaces. */
export type ProbeAnswers = Record<string, Partial<ProbeResult> | string>;

/**
 * A HostReader over in-memory files and canned probe answers, for check tests. An argv
 * without an answer exits 127 ("not found"), like a missing binary. Every probe is recorded.
 */
export function fakeHost(facts: HostFacts, files: Record<string, string> = {}, probes: ProbeAnswers = {}): HostReader & { probed: string[][] } {
  const probed: string[][] = [];
  return {
    root: '/',
    facts,
    probed,
    readFile: (path) => Promise.resolve(files[path]),
    exists: (path) => Promise.resolve(path in files || Object.keys(files).some((name) => name.startsWith(`${path}/`))),
    listDir: (path) =>
      Promise.resolve(
        [...new Set(Object.keys(files).filter((name) => name.startsWith(`${path}/`)).map((name) => name.slice(path.length + 1).split('/')[0] ?? ''))].sort(),
      ),
    probe(argv: readonly string[], _stdin?: string | Secret) {
      probed.push([...argv]);
      const answer = probes[argv.join(' ')];
      if (answer === undefined) return Promise.resolve({ exitCode: 127, stdout: '', stderr: `${argv[0]}: not found` });
      if (typeof answer === 'string') return Promise.resolve({ exitCode: 0, stdout: answer, stderr: '' });
      return Promise.resolve({ exitCode: answer.exitCode ?? 0, stdout: answer.stdout ?? '', stderr: answer.stderr ?? '' });
    },
  };
}
