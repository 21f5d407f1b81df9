/** Polls `probe` every `intervalMs` until it returns a value or `timeoutMs` passes. */
export async function pollUntil<T>(probe: () => Promise<T | undefined>, timeoutMs: number, intervalMs = 250): Promise<T | undefined> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch {
      // a failed probe counts as "not yet"
    }
    if (Date.now() + intervalMs > deadline) return undefined;
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
