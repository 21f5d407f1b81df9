import * as z from 'zod';
import type { SpecPath, SpecProblem } from './problems';

/** The schema found at a path (unwrapping defaults, optionals, arrays), if any. */
function schemaAt(root: z.ZodType, path: SpecPath): z.ZodType | undefined {
  let current: z.ZodType | undefined = unwrap(root);
  for (const part of path) {
    if (current === undefined) return undefined;
    if (typeof part === 'number') current = current instanceof z.ZodArray ? unwrap(current.element as z.ZodType) : undefined;
    else current = current instanceof z.ZodObject ? unwrap(current.shape[part] as z.ZodType | undefined) : undefined;
  }
  return current;
}

function unwrap(schema: z.ZodType | undefined): z.ZodType | undefined {
  let current = schema;
  while (current instanceof z.ZodDefault || current instanceof z.ZodOptional) current = current.unwrap() as z.ZodType;
  return current;
}

/** Field names an object at `path` accepts (all alternatives of a union). */
function knownKeys(root: z.ZodType, path: SpecPath): string[] {
  const schema = schemaAt(root, path);
  const objects = schema instanceof z.ZodUnion ? (schema.options as z.ZodType[]) : schema ? [schema] : [];
  return [...new Set(objects.flatMap((option) => (option instanceof z.ZodObject ? Object.keys(option.shape) : [])))];
}

/** Closest known key by edit distance, when it is close enough to be a typo. */
function closest(key: string, candidates: string[]): string | undefined {
  const distance = (a: string, b: string): number => {
    const row = Array.from({ length: b.length + 1 }, (_, index) => index);
    for (let i = 1; i <= a.length; i += 1) {
      let previous = row[0] as number;
      row[0] = i;
      for (let j = 1; j <= b.length; j += 1) {
        const saved = row[j] as number;
        const cost = a[i - 1]?.toLowerCase() === b[j - 1]?.toLowerCase() ? 0 : 1;
        row[j] = Math.min((row[j] as number) + 1, (row[j - 1] as number) + 1, previous + cost);
        previous = saved;
      }
    }
    return row[b.length] as number;
  };
  const ranked = candidates.map((candidate) => ({ candidate, d: distance(key, candidate) })).sort((a, b) => a.d - b.d);
  const best = ranked[0];
  return best && best.d <= Math.max(2, Math.floor(key.length / 3)) ? best.candidate : undefined;
}

function problem(path: SpecPath, message: string, fix: string): SpecProblem {
  return { severity: 'error', path, message, fix };
}

/** The value at `path` of the raw document, undefined when absent. */
function valueAt(raw: unknown, path: SpecPath): unknown {
  let current = raw;
  for (const part of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string | number, unknown>)[part];
  }
  return current;
}

function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  return typeof value === 'object' ? 'a mapping' : `the ${typeof value} ${JSON.stringify(value)}`;
}

function fixFor(root: z.ZodType, issue: z.core.$ZodIssue, path: SpecPath, value: unknown): string {
  const description = schemaAt(root, path)?.description;
  switch (issue.code) {
    case 'custom':
      return typeof issue.params?.fix === 'string' ? issue.params.fix : 'correct the value';
    case 'invalid_value':
      return `use one of: ${issue.values.map((value) => JSON.stringify(value)).join(', ')}`;
    case 'invalid_type':
      if (value === undefined) return `add the field${description ? ` (${description})` : ''}`;
      if (issue.expected === 'string' && typeof value === 'number') return `quote the value so YAML reads it as text${description ? ` (${description})` : ''}`;
      return `give a ${issue.expected}${description ? ` (${description})` : ''}`;
    case 'too_small':
      return issue.origin === 'array' ? `list at least ${String(issue.minimum)} item(s)` : `use a value of at least ${String(issue.minimum)}`;
    case 'too_big':
      return issue.origin === 'string' || issue.origin === 'array'
        ? `use at most ${String(issue.maximum)} ${issue.origin === 'string' ? 'characters' : 'items'}`
        : `use a value of at most ${String(issue.maximum)}`;
    case 'invalid_union':
      return `give one of the accepted forms (fields: ${knownKeys(root, path).join(', ')})`;
    default:
      if (issue.message.startsWith('must be ')) return `make it ${issue.message.slice('must be '.length)}${description ? ` (${description})` : ''}`;
      return description ? `expected: ${description}` : 'correct the value';
  }
}

/** The one union alternative whose field names all fit, when exactly one does. */
function intendedBranch(branches: readonly (readonly z.core.$ZodIssue[])[]): readonly z.core.$ZodIssue[] | undefined {
  const fitting = branches.filter((issues) => issues.length > 0 && !issues.some((issue) => issue.code === 'unrecognized_keys'));
  return fitting.length === 1 ? fitting[0] : undefined;
}

/** Turns zod's issues into spec problems, one per unknown field, each with a fix. */
export function zodIssuesToProblems(root: z.ZodType, raw: unknown, issues: readonly z.core.$ZodIssue[]): SpecProblem[] {
  const problems: SpecProblem[] = [];
  for (const issue of issues) {
    const path = issue.path.filter((part): part is string | number => typeof part !== 'symbol');
    const branch = issue.code === 'invalid_union' ? intendedBranch(issue.errors) : undefined;
    if (branch) {
      // The writer clearly meant one form (its fields are all known there): report its problems.
      const nested = branch.map((inner) => ({ ...inner, path: [...path, ...inner.path] }) as z.core.$ZodIssue);
      problems.push(...zodIssuesToProblems(root, raw, nested));
      continue;
    }
    if (issue.code === 'unrecognized_keys') {
      const known = knownKeys(root, path);
      for (const key of issue.keys) {
        const guess = closest(key, known);
        problems.push(
          problem(
            [...path, key],
            `unknown field "${key}"`,
            guess ? `did you mean "${guess}"? (known fields: ${known.join(', ')})` : `remove it (known fields: ${known.join(', ')})`,
          ),
        );
      }
      continue;
    }
    const value = valueAt(raw, path);
    const message =
      issue.code !== 'invalid_type' ? issue.message : value === undefined ? 'missing required field' : `${issue.message}, found ${describeValue(value)}`;
    problems.push(problem(path, message, fixFor(root, issue, path, value)));
  }
  return problems;
}
