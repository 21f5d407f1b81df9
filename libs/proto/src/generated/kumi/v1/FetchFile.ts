// Original file: libs/proto/proto/kumi/v1/kumi.proto

import type { Long } from '@grpc/proto-loader';

/**
 * FetchFile asks the agent for a file a step left for the coordinator (an etcd snapshot of
 * step etcd.snapshot). The agent hands out only plain files directly in its backups folder
 * (/var/lib/kumi/backups), by name: no path, no symbolic link. It answers with FileChunks
 * of at most 256 KiB (FILE_CHUNK_BYTES), in order, on the Attach stream, outside the event
 * outbox: a transfer cut by a disconnect is not resumed, the coordinator asks again.
 */
export interface FetchFile {
  /**
   * Chosen by the coordinator, unique per request; every FileChunk of the answer carries it.
   */
  'fetchId'?: (string);
  /**
   * A file name in the backups folder, e.g. "etcd-20261206T093000Z.db".
   */
  'name'?: (string);
  /**
   * The agent refuses a larger file (FileChunk.error) before sending any of it.
   */
  'maxBytes'?: (number | string | Long);
}

/**
 * FetchFile asks the agent for a file a step left for the coordinator (an etcd snapshot of
 * step etcd.snapshot). The agent hands out only plain files directly in its backups folder
 * (/var/lib/kumi/backups), by name: no path, no symbolic link. It answers with FileChunks
 * of at most 256 KiB (FILE_CHUNK_BYTES), in order, on the Attach stream, outside the event
 * outbox: a transfer cut by a disconnect is not resumed, the coordinator asks again.
 */
export interface FetchFile__Output {
  /**
   * Chosen by the coordinator, unique per request; every FileChunk of the answer carries it.
   */
  'fetchId': (string);
  /**
   * A file name in the backups folder, e.g. "etcd-20261206T093000Z.db".
   */
  'name': (string);
  /**
   * The agent refuses a larger file (FileChunk.error) before sending any of it.
   */
  'maxBytes': (number);
}
