import { readFile } from 'node:fs/promises';
import { isMap, isSeq, LineCounter, parseDocument, type Document, type Node } from 'yaml';
import { SpecError, type SpecPath, type SpecProblem } from './problems';
import { clusterSpecSchema, type ClusterSpec } from './schema';
import { semanticChecks } from './semantic-checks';
import { zodIssuesToProblems } from './zod-problems';

/** A spec that passed every check, with the warnings it still deserves. */
export interface LoadedSpec {
  spec: ClusterSpec;
  warnings: SpecProblem[];
}

/** Bounds alias expansion so a hostile file cannot blow up memory ("billion laughs"). */
const MAX_ALIAS_COUNT = 100;

/**
 * Reads and validates a cluster spec file. Throws a SpecError carrying every problem
 * (YAML syntax with line and column, schema, cross-field checks); nothing partial.
 */
export async function loadSpec(path: string): Promise<LoadedSpec> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code ?? 'unknown error';
    throw new SpecError(path, [{ severity: 'error', path: [], message: `cannot read the spec file (${code})`, fix: 'give the path of a readable cluster spec YAML file' }]);
  }
  return parseSpecText(text, path);
}

/** Validates spec text; `source` names it in messages. See loadSpec. */
export function parseSpecText(text: string, source: string): LoadedSpec {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false });
  if (doc.errors.length > 0) {
    throw new SpecError(
      source,
      doc.errors.map((yamlError) => {
        const position = lineCounter.linePos(yamlError.pos[0]);
        return {
          severity: 'error' as const,
          path: [],
          message: `YAML syntax: ${yamlError.message.split('\n')[0] ?? yamlError.code}`,
          fix: 'correct the YAML at this line and column',
          line: position.line,
          column: position.col,
        };
      }),
    );
  }
  const raw = documentValue(doc, source);
  const parsed = clusterSpecSchema.safeParse(raw);
  const problems = parsed.success ? semanticChecks(parsed.data) : zodIssuesToProblems(clusterSpecSchema, raw, parsed.error.issues);
  const located = problems.map((problem) => ({ ...problem, ...locate(doc, lineCounter, problem.path) }));
  if (!parsed.success || located.some((problem) => problem.severity === 'error')) throw new SpecError(source, located);
  return { spec: parsed.data, warnings: located };
}

/**
 * The document as plain data. yaml refuses (with a ReferenceError) a document whose
 * aliases would expand past MAX_ALIAS_COUNT; that is bad input like a syntax error.
 */
function documentValue(doc: Document, source: string): unknown {
  try {
    return doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (error) {
    if (!(error instanceof ReferenceError)) throw error;
    throw new SpecError(source, [
      {
        severity: 'error',
        path: [],
        message: `YAML aliases expand too far (${error.message}; at most ${MAX_ALIAS_COUNT} alias uses are allowed)`,
        fix: 'write the values out instead of nesting anchors (&name) and aliases (*name)',
      },
    ]);
  }
}

/** Line and column of the node at `path` (the key, for a map entry), or of its nearest parent. */
function locate(doc: Document, lineCounter: LineCounter, path: SpecPath): { line?: number; column?: number } {
  let node: unknown = doc.contents;
  let offset = (node as Node | null)?.range?.[0];
  for (const part of path) {
    if (isMap(node)) {
      const pair = node.items.find((item) => (item.key as { value?: unknown } | null)?.value === part);
      if (!pair) break;
      offset = (pair.key as Node).range?.[0] ?? offset;
      node = pair.value;
    } else if (isSeq(node) && typeof part === 'number') {
      const item = node.items[part] as Node | undefined;
      if (!item) break;
      offset = item.range?.[0] ?? offset;
      node = item;
    } else break;
  }
  if (offset === undefined) return {};
  const position = lineCounter.linePos(offset);
  return { line: position.line, column: position.col };
}
