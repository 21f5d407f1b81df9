/**
 * The bounds of FetchFile / FileChunk (kumi.proto): both ends use them, so neither trusts
 * the other to stay small.
 */

/** Bytes of file data in one FileChunk: far below the coordinator's 4 MiB message limit. */
export const FILE_CHUNK_BYTES = 256 * 1024;

/** The largest file a fetch takes by default: etcd's largest recommended database (8 GiB quota). */
export const FILE_FETCH_MAX_BYTES = 8 * 1024 * 1024 * 1024;

/** A name the agent hands out: a plain file name, no folder, no leading dot. */
export const FILE_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;
