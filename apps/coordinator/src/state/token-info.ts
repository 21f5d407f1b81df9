import type { TokenInfo, TokenInfo__Output } from '@kumi/proto';
import type { TokenRecord } from './state-records';

/** A token record as the Control service sends it: without the secret's hash. */
export function tokenInfo(record: TokenRecord): TokenInfo {
  return { id: record.id, createdAt: record.createdAt, expiresAt: record.expiresAt, host: record.host ?? '', usedAt: record.usedAt ?? '', usedBy: record.usedBy ?? '' };
}

/** A token record received from the Control service; its secret hash stays with the server (empty here). */
export function tokenRecordFromInfo(info: TokenInfo__Output): TokenRecord {
  return { id: info.id, secretHash: '', createdAt: info.createdAt, expiresAt: info.expiresAt, host: info.host || null, usedAt: info.usedAt || null, usedBy: info.usedBy || null };
}
