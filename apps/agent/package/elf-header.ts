import { open } from 'node:fs/promises';

/** ELF e_machine values of the architectures kumi ships for. */
export const ELF_MACHINE = { x64: 0x3e, arm64: 0xb7 } as const;

/** The identifying fields of an ELF file header. */
export interface ElfHeader {
  /** 32 or 64 (EI_CLASS). */
  bits: 32 | 64;
  /** Byte order (EI_DATA). */
  endianness: 'little' | 'big';
  /** e_type: 2 = executable, 3 = shared object (PIE). */
  type: number;
  /** e_machine, e.g. 0x3E for x86-64, 0xB7 for AArch64. */
  machine: number;
}

/** Reads the ELF header of a file; throws when the file is not an ELF file. */
export async function readElfHeader(path: string): Promise<ElfHeader> {
  const handle = await open(path, 'r');
  const bytes = Buffer.alloc(20);
  try {
    await handle.read(bytes, 0, bytes.length, 0);
  } finally {
    await handle.close();
  }
  if (bytes.readUInt32BE(0) !== 0x7f454c46) throw new Error(`${path} is not an ELF file (no \\x7fELF magic)`);
  const bits = bytes[4] === 2 ? 64 : 32;
  const endianness = bytes[5] === 2 ? 'big' : 'little';
  const read16 = (offset: number) => (endianness === 'little' ? bytes.readUInt16LE(offset) : bytes.readUInt16BE(offset));
  return { bits, endianness, type: read16(16), machine: read16(18) };
}
