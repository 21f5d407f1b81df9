// The few DER (ITU-T X.690) pieces kumi needs to read agents' CSRs and write their
// client certificates with node:crypto alone: length-prefixed TLVs, read and written.

/** One DER element inside a buffer. */
export interface Tlv {
  tag: number;
  /** Offset of the tag byte. */
  offset: number;
  /** Offset of the first content byte. */
  start: number;
  /** Offset just past the content. */
  end: number;
}

/** Reads the element at offset; throws on a truncated or over-long encoding. */
export function readTlv(der: Uint8Array, offset: number, limit = der.length): Tlv {
  if (offset + 2 > limit) throw new Error('truncated DER');
  const tag = der[offset] as number;
  if ((tag & 0x1f) === 0x1f) throw new Error('multi-byte DER tags are not used here');
  let length = der[offset + 1] as number;
  let start = offset + 2;
  if (length & 0x80) {
    const bytes = length & 0x7f;
    if (bytes === 0 || bytes > 3 || start + bytes > limit) throw new Error('unsupported DER length');
    length = 0;
    for (let i = 0; i < bytes; i++) length = (length << 8) | (der[start + i] as number);
    start += bytes;
  }
  const end = start + length;
  if (end > limit) throw new Error('truncated DER');
  return { tag, offset, start, end };
}

/** The elements directly inside a constructed element, in order. */
export function children(der: Uint8Array, parent: Tlv): Tlv[] {
  const out: Tlv[] = [];
  for (let offset = parent.start; offset < parent.end; ) {
    const child = readTlv(der, offset, parent.end);
    out.push(child);
    offset = child.end;
  }
  return out;
}

/** The bytes of an element, tag and length included. */
export function raw(der: Uint8Array, tlv: Tlv): Buffer {
  return Buffer.from(der.subarray(tlv.offset, tlv.end));
}

/** The content bytes of an element. */
export function content(der: Uint8Array, tlv: Tlv): Buffer {
  return Buffer.from(der.subarray(tlv.start, tlv.end));
}

/** Encodes one element. */
export function tlv(tag: number, ...parts: Uint8Array[]): Buffer {
  const body = Buffer.concat(parts);
  const n = body.length;
  const header = n < 0x80 ? [tag, n] : n < 0x100 ? [tag, 0x81, n] : n < 0x10000 ? [tag, 0x82, n >> 8, n & 0xff] : [tag, 0x83, n >> 16, (n >> 8) & 0xff, n & 0xff];
  return Buffer.concat([Buffer.from(header), body]);
}

export const SEQUENCE = 0x30;
export const SET = 0x31;
export const OCTET_STRING = 0x04;
export const BIT_STRING = 0x03;
export const INTEGER = 0x02;
export const BOOLEAN = 0x01;
export const OID = 0x06;
export const UTF8_STRING = 0x0c;
export const UTC_TIME = 0x17;
export const GENERALIZED_TIME = 0x18;

/** An OBJECT IDENTIFIER from its dotted form. */
export function oid(dotted: string): Buffer {
  const arcs = dotted.split('.').map(Number);
  const bytes: number[] = [(arcs[0] as number) * 40 + (arcs[1] as number)];
  for (const arc of arcs.slice(2)) {
    const chunk: number[] = [arc & 0x7f];
    for (let rest = Math.floor(arc / 128); rest > 0; rest = Math.floor(rest / 128)) chunk.unshift((rest & 0x7f) | 0x80);
    bytes.push(...chunk);
  }
  return tlv(OID, Buffer.from(bytes));
}

/** A certificate time: UTCTime until 2049, GeneralizedTime from 2050 (RFC 5280 4.1.2.5). */
export function time(date: Date): Buffer {
  const iso = date.toISOString();
  const digits = `${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}${iso.slice(11, 13)}${iso.slice(14, 16)}${iso.slice(17, 19)}Z`;
  return date.getUTCFullYear() < 2050 ? tlv(UTC_TIME, Buffer.from(digits.slice(2))) : tlv(GENERALIZED_TIME, Buffer.from(digits));
}
