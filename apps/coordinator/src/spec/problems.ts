/** Where a problem is in the spec: object keys and array indexes from the root. */
export type SpecPath = ReadonlyArray<string | number>;

/** One thing wrong (or risky, for warnings) with a spec, with how to fix it. */
export interface SpecProblem {
  severity: 'error' | 'warning';
  /** Path into the YAML document, e.g. ["spec", "hosts", 2, "address"]. */
  path: SpecPath;
  message: string;
  fix: string;
  /** 1-based position in the file, when known. */
  line?: number;
  column?: number;
}

/** Formats a path the way a YAML reader thinks of it: spec.hosts[2].address. */
export function formatSpecPath(path: SpecPath): string {
  if (path.length === 0) return '(document)';
  return path.map((part, index) => (typeof part === 'number' ? `[${part}]` : index === 0 ? part : `.${part}`)).join('');
}

/** One line per problem: "file:line:col: spec.hosts[2].address: message (fix: ...)". */
export function formatSpecProblem(problem: SpecProblem, source?: string): string {
  const where = problem.line === undefined ? '' : `${problem.line}:${problem.column ?? 1}: `;
  const file = source === undefined ? '' : `${source}:`;
  const label = problem.severity === 'warning' ? 'warning: ' : '';
  return `${file}${where}${label}${formatSpecPath(problem.path)}: ${problem.message} (fix: ${problem.fix})`;
}

/** A spec that cannot be used; carries every problem found, not just the first. */
export class SpecError extends Error {
  readonly problems: readonly SpecProblem[];
  readonly source: string;

  constructor(source: string, problems: readonly SpecProblem[]) {
    const errors = problems.filter((problem) => problem.severity === 'error');
    super(
      `${source}: ${errors.length} problem${errors.length === 1 ? '' : 's'} in the cluster spec:\n` +
        problems.map((problem) => `  ${formatSpecProblem(problem)}`).join('\n'),
    );
    this.name = 'SpecError';
    this.source = source;
    this.problems = problems;
  }
}
