// The Docker Engine API calls cri-dockerd makes (Mirantis/cri-dockerd libdocker/client.go over the moby client, v0.3.16): GET /version and /info on dockerd's unix socket.
import http from 'node:http';

/** What cri-dockerd reads of `GET /version` (docker/docker api/types Version). */
export interface DockerVersion {
  Version: string;
  ApiVersion: string;
}

/** What cri-dockerd reads of `GET /info` (docker/docker api/types/system Info). */
export interface DockerInfo {
  CgroupDriver: string;
  DockerRootDir: string;
}

/** How long one Docker API call may take (cri-dockerd's --runtime-request-timeout is 2 min; dockerd answers these at once). */
const REQUEST_TIMEOUT_MS = 5000;

/**
 * One GET of the Docker Engine API on dockerd's unix socket ("/var/run/docker.sock"), the
 * JSON body parsed. Rejects with the dial error or the HTTP status when dockerd does not answer.
 */
export function dockerGet<T>(socketPath: string, apiPath: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const request = http.get({ socketPath, path: apiPath, headers: { Host: 'docker' }, timeout: REQUEST_TIMEOUT_MS }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body += chunk));
      response.on('end', () => {
        if (response.statusCode !== 200) reject(new Error(`Error response from daemon: ${response.statusCode ?? 0} ${body.trim()}`));
        else {
          try {
            resolve(JSON.parse(body) as T);
          } catch (error) {
            reject(error as Error);
          }
        }
      });
    });
    request.on('timeout', () => request.destroy(new Error(`Get "http://%2Fvar%2Frun%2Fdocker.sock/v1.41${apiPath}": context deadline exceeded`)));
    request.on('error', (error) => reject(new Error(`Cannot connect to the Docker daemon at unix://${socketPath}. Is the docker daemon running? (${error.message})`)));
  });
}

/** `GET /version`. */
export function dockerVersion(socketPath: string): Promise<DockerVersion> {
  return dockerGet<DockerVersion>(socketPath, '/version');
}

/** `GET /info`. */
export function dockerInfo(socketPath: string): Promise<DockerInfo> {
  return dockerGet<DockerInfo>(socketPath, '/info');
}
