import { statusMessage } from '../common/api-client';
import { KubectlError, type KubectlContext } from './context';

/**
 * `kubectl get --raw PATH`: one GET, the body printed as the server sent it. A non-2xx answer
 * is an error as kubectl reports it through apimachinery's StatusError
 * (k8s.io/apimachinery pkg/api/errors/errors.go, NewGenericServerResponse): 503 reads
 * "ServiceUnavailable", 404 "NotFound", anything else "InternalError" with the body.
 */
export async function runRaw(ctx: KubectlContext, path: string): Promise<void> {
  if (!path.startsWith('/')) throw new KubectlError(`--raw must be an absolute path (starting with "/"), got "${path}"`);
  const res = await ctx.api.client.request('GET', path);
  if (res.status >= 200 && res.status < 300) {
    ctx.out(res.text);
    return;
  }
  if (res.status === 503) throw new KubectlError('Error from server (ServiceUnavailable): the server is currently unable to handle the request', 1, true);
  if (res.status === 404) throw new KubectlError('Error from server (NotFound): the server could not find the requested resource', 1, true);
  throw new KubectlError(`Error from server (InternalError): an error on the server ("${statusMessage(res).trim()}") has prevented the request from succeeding`, 1, true);
}
