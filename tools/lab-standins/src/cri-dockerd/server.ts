import { mkdirSync, rmSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { fromJSON } from '@grpc/proto-loader';
import { CRI_RUNTIME_API } from '../crictl/cri-api';
import type { CriDockerdState } from './cri-service';
import { criDockerdHandlers } from './cri-service';

/** A running CRI endpoint; close() stops it and removes the sockets it made. */
export interface CriDockerdServer {
  close(): Promise<void>;
}

function runtimeServiceDefinition(): grpc.ServiceDefinition {
  const loaded = grpc.loadPackageDefinition(fromJSON(CRI_RUNTIME_API, { enums: String, defaults: true })) as unknown as { runtime: { v1: { RuntimeService: grpc.ServiceClientConstructor } } };
  return loaded.runtime.v1.RuntimeService.service;
}

/**
 * Serves the CRI on `endpoint`: "unix:///path" binds that socket; "fd://" takes the socket
 * systemd passed (LISTEN_FDS=1, fd 3, as cri-docker.socket does; cri-dockerd uses
 * go-systemd activation). grpc-js cannot serve an inherited fd, so then it listens on a
 * private socket beside it and every connection to fd 3 is piped to it, byte for byte.
 */
export async function serveCri(endpoint: string, state: CriDockerdState, privateDir: string): Promise<CriDockerdServer> {
  const server = new grpc.Server();
  server.addService(runtimeServiceDefinition(), criDockerdHandlers(state) as unknown as grpc.UntypedServiceImplementation);
  let grpcPath: string;
  let relay: net.Server | undefined;
  if (endpoint === 'fd://') {
    if (process.env['LISTEN_FDS'] !== '1' || process.env['LISTEN_PID'] !== String(process.pid)) {
      throw new Error('fd:// given but no socket was passed (LISTEN_FDS/LISTEN_PID): start cri-docker.socket, or give --container-runtime-endpoint unix:///var/run/cri-dockerd.sock');
    }
    mkdirSync(privateDir, { recursive: true });
    grpcPath = path.join(privateDir, 'grpc.sock');
    const target = grpcPath;
    relay = net.createServer((client) => {
      const upstream = net.connect(target);
      client.pipe(upstream).pipe(client);
      client.on('error', () => upstream.destroy());
      upstream.on('error', () => client.destroy());
    });
    relay.listen({ fd: 3 });
  } else if (endpoint.startsWith('unix://')) {
    grpcPath = endpoint.slice('unix://'.length);
  } else {
    throw new Error(`protocol ${JSON.stringify(endpoint.split('://')[0])} not supported: give unix:///path or fd://`);
  }
  rmSync(grpcPath, { force: true });
  await new Promise<void>((resolve, reject) => server.bindAsync(`unix://${grpcPath}`, grpc.ServerCredentials.createInsecure(), (error) => (error ? reject(error) : resolve())));
  const socket = grpcPath;
  return {
    close: async () => {
      relay?.close();
      await new Promise<void>((resolve) => server.tryShutdown(() => resolve()));
      rmSync(socket, { force: true });
    },
  };
}
