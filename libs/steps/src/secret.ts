import { inspect } from 'node:util';

const REDACTED = '***';

/**
 * A value that must never be printed: toString, toJSON, template literals and
 * util.inspect (console.log, pino) all show `***`. Only `reveal()` gives the value, and
 * the executor calls it only to feed a command's stdin or a 0600 file.
 */
export class Secret {
  readonly #value: string;

  constructor(value: string) {
    this.#value = value;
  }

  reveal(): string {
    return this.#value;
  }

  toString(): string {
    return REDACTED;
  }

  toJSON(): string {
    return REDACTED;
  }

  [inspect.custom](): string {
    return REDACTED;
  }

  [Symbol.toPrimitive](): string {
    return REDACTED;
  }
}

/** Replaces every occurrence of each secret's value in text with `***`. */
export function redact(text: string, secrets: Iterable<Secret | string>): string {
  let out = text;
  for (const secret of secrets) {
    const value = typeof secret === 'string' ? secret : secret.reveal();
    if (value.length > 0) out = out.split(value).join(REDACTED);
  }
  return out;
}
