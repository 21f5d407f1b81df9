import type { Readable } from 'node:stream';

/** A running real kubectl started with `-v=6`: its request log on stderr, and its end. */
export interface VerboseKubectl extends PromiseLike<unknown> {
  stderr: Readable | null;
}

/**
 * Resolves once a real kubectl run with `-v=6` has had an answer from the API server about
 * the object `name` (a request-log line on stderr naming it with "200 OK"; klog's
 * round_trippers line, both the older `GET URL 200 OK in N milliseconds` and the structured
 * `"Response" verb="GET" url=… status="200 OK"` forms). Rejects if kubectl ends first.
 *
 * Tests use it to order a change after kubectl has read the object: `kubectl wait
 * --for=delete pod/X` whose first GET finds no pod succeeds printing nothing (kubernetes/
 * kubectl pkg/cmd/wait/wait.go: RunWait ignores NotFound), so a delete it has not yet seen
 * races the wait.
 */
export function untilKubectlAnswered(kubectl: VerboseKubectl, name: string): Promise<void> {
  return new Promise<void>((answered, failed) => {
    let log = '';
    kubectl.stderr?.on('data', (chunk: Buffer) => {
      log += chunk.toString();
      if (log.split('\n').some((line) => line.includes(name) && line.includes('200 OK'))) answered();
    });
    kubectl.then(
      () => failed(new Error(`kubectl ended before the API server answered it about ${name}: ${log.slice(-2000)}`)),
      (error: Error) => failed(error),
    );
  });
}
