import type { Action } from '../plan';
import { Secret, redact } from '../secret';
import type { SecretBag } from '../step';

/** Lines of a multi-line secret shorter than this are not redacted on their own (too common). */
const MIN_LINE_SECRET = 8;

/** Removes every known secret value from a piece of text. */
export type Redactor = (text: string) => string;

/** Every secret a run can see: the bag handed to the step and any Secret inside its plan. */
export function collectSecrets(bag: SecretBag, actions: readonly Action[]): Secret[] {
  const found = new Set<Secret>(Object.values(bag));
  for (const action of actions) {
    if (action.kind === 'run') {
      if (action.stdin instanceof Secret) found.add(action.stdin);
      for (const value of Object.values(action.secretFiles ?? {})) {
        if (value instanceof Secret) found.add(value);
      }
    }
    if (action.kind === 'write' && action.content instanceof Secret) found.add(action.content);
  }
  return [...found];
}

/**
 * A Redactor for these secrets. Output is redacted line by line, so each long line of a
 * multi-line secret (a PEM key) is a value of its own; longest values go first so a
 * secret holding another is removed whole.
 */
export function redactorFor(secrets: readonly Secret[]): Redactor {
  const values = new Set<string>();
  for (const secret of secrets) {
    const value = secret.reveal();
    if (value.length > 0) values.add(value);
    for (const line of value.split(/\r?\n/)) {
      if (line.trim().length >= MIN_LINE_SECRET) values.add(line);
    }
  }
  const ordered = [...values].sort((a, b) => b.length - a.length);
  return (text) => redact(text, ordered);
}

/** Whether any argument holds a secret value. */
export function secretInArgv(argv: readonly string[], secrets: readonly Secret[]): boolean {
  return secrets.some((secret) => {
    const value = secret.reveal();
    return value.length > 0 && argv.some((arg) => arg.includes(value));
  });
}
