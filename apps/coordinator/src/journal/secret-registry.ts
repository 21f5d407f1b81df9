/**
 * Every secret value the coordinator minted or received during this process, held in
 * memory only, so that anything about to be written (journal, logs, events, terminal)
 * can be scrubbed of them as a last line of defence.
 */
export class SecretRegistry {
  readonly #values = new Set<string>();

  add(value: string): void {
    if (value.length >= 6) this.#values.add(value);
  }

  forget(value: string): void {
    this.#values.delete(value);
  }

  /** Replaces every known secret value in text with `***`. */
  redact(text: string): string {
    let out = text;
    for (const value of this.#values) {
      if (out.includes(value)) out = out.split(value).join('***');
    }
    return out;
  }

  /** Whether text holds any known secret value. */
  leaks(text: string): boolean {
    for (const value of this.#values) if (text.includes(value)) return true;
    return false;
  }
}
