/** One parsed Exec*= line. */
export interface ExecLine {
  argv: string[];
  /** "-" prefix: a failure is ignored. */
  ignoreFailure: boolean;
}

/** Splits a systemd command line into words, honouring quotes and backslash escapes. */
export function splitWords(text: string): Array<{ word: string; quoted: boolean }> {
  const words: Array<{ word: string; quoted: boolean }> = [];
  let i = 0;
  while (i < text.length) {
    while (i < text.length && /\s/.test(text[i] as string)) i++;
    if (i >= text.length) break;
    let word = '';
    let quoted = false;
    while (i < text.length && !/\s/.test(text[i] as string)) {
      const c = text[i] as string;
      if (c === '"' || c === "'") {
        quoted = true;
        const end = text.indexOf(c, i + 1);
        if (end < 0) throw new Error(`unbalanced quote in: ${text}`);
        word += text.slice(i + 1, end).replace(/\\(.)/g, '$1');
        i = end + 1;
      } else if (c === '\\' && i + 1 < text.length) {
        word += text[i + 1];
        i += 2;
      } else {
        word += c;
        i++;
      }
    }
    words.push({ word, quoted });
  }
  return words;
}

/**
 * Parses an Exec line with systemd's variable rules: a bare `$VAR` word becomes the value split
 * at whitespace (zero or more words); `${VAR}` is replaced in place as part of one word.
 */
export function parseExecLine(line: string, env: Record<string, string>, specifiers: Record<string, string>): ExecLine {
  const words = splitWords(line);
  let ignoreFailure = false;
  const first = words[0];
  if (first) {
    const prefix = /^[-@:+!]*/.exec(first.word)?.[0] ?? '';
    ignoreFailure = prefix.includes('-');
    first.word = first.word.slice(prefix.length);
  }
  const argv: string[] = [];
  for (const { word, quoted } of words) {
    const bare = /^\$([A-Za-z_][A-Za-z0-9_]*)$/.exec(word);
    if (bare && !quoted) {
      argv.push(...(env[bare[1] as string] ?? '').split(/\s+/).filter(Boolean));
      continue;
    }
    const expanded = word
      .replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (_, v: string) => env[v] ?? '')
      .replace(/%(.)/g, (m, s: string) => (s === '%' ? '%' : (specifiers[s] ?? m)));
    argv.push(expanded);
  }
  if (argv.length === 0) throw new Error(`empty command line: ${line}`);
  return { argv, ignoreFailure };
}

/** Parses an Environment= value: space-separated, optionally quoted KEY=VALUE assignments. */
export function parseEnvironmentValue(value: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const { word } of splitWords(value)) {
    const eq = word.indexOf('=');
    if (eq > 0) out[word.slice(0, eq)] = word.slice(eq + 1);
  }
  return out;
}

/** Parses an EnvironmentFile's text: KEY=VALUE lines, comments, optional quotes. */
export function parseEnvironmentFile(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const raw of text.replace(/\\\n/g, '').split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#') || line.startsWith(';')) continue;
    const m = /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)$/.exec(line);
    if (!m) continue;
    let value = (m[2] as string).trim();
    if ((value.startsWith('"') && value.endsWith('"')) || (value.startsWith("'") && value.endsWith("'"))) value = value.slice(1, -1);
    out[m[1] as string] = value;
  }
  return out;
}
