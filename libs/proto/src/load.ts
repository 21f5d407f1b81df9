import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import descriptor from './generated/descriptor.json' with { type: 'json' };
import type { ProtoGrpcType } from './generated/kumi';

/**
 * Loader options. They must match the flags in scripts/generate.mjs, or the generated
 * types would describe objects other than the ones grpc-js hands out.
 */
export const LOADER_OPTIONS: protoLoader.Options = {
  keepCase: false,
  longs: Number,
  enums: String,
  defaults: true,
  oneofs: true,
};

let cached: ProtoGrpcType['kumi']['v1'] | undefined;

/** The kumi.v1 package, loaded once from the descriptor generated from the .proto. */
export function kumiV1(): ProtoGrpcType['kumi']['v1'] {
  if (!cached) {
    // The JSON module's literal type is narrower than protobufjs' INamespace; it is one.
    const definition = protoLoader.fromJSON(descriptor as Parameters<typeof protoLoader.fromJSON>[0], LOADER_OPTIONS);
    const loaded = grpc.loadPackageDefinition(definition) as unknown as ProtoGrpcType;
    cached = loaded.kumi.v1;
  }
  return cached;
}
