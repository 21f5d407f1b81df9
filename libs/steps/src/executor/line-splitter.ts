/**
 * Cuts a byte stream into lines for progress output; `flush` returns the unterminated
 * tail. Carriage returns (progress bars) end a line too.
 */
export class LineSplitter {
  #pending = '';

  push(chunk: string): string[] {
    const parts = (this.#pending + chunk).split(/\r?\n|\r/);
    this.#pending = parts.pop() ?? '';
    return parts;
  }

  flush(): string[] {
    const rest = this.#pending;
    this.#pending = '';
    return rest.length > 0 ? [rest] : [];
  }
}

/** Keeps the last `size` lines seen. */
export class LineTail {
  readonly #lines: string[] = [];

  constructor(readonly size: number) {}

  add(line: string): void {
    this.#lines.push(line);
    if (this.#lines.length > this.size) this.#lines.shift();
  }

  text(): string {
    return this.#lines.join('\n');
  }
}
