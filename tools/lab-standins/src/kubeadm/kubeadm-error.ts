/**
 * A kubeadm failure. `phase` reproduces kubeadm's "error execution phase X: ..." prefix;
 * without a phase the message is printed as is. kubeadm exits 1 on every error.
 */
export class KubeadmError extends Error {
  constructor(
    message: string,
    readonly phase?: string,
  ) {
    super(message);
    this.name = 'KubeadmError';
  }

  /** The text kubeadm prints on stderr. */
  render(): string {
    const head = this.phase ? `error execution phase ${this.phase}: ${this.message}` : this.message;
    return `${head}\nTo see the stack trace of this error execute with --v=5 or higher\n`;
  }
}

/** Wraps an error as Go's errors.Wrap does ("context: cause"). */
export function wrap(context: string, err: unknown): Error {
  return new Error(`${context}: ${err instanceof Error ? err.message : String(err)}`);
}
