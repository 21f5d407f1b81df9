import crypto from 'node:crypto';

/** Encrypts as kubeadm's cryptoutil.EncryptBytes: AES-GCM, random 12-byte nonce prepended, tag appended. */
export function encryptBytes(plain: Buffer, key: Buffer): Buffer {
  const nonce = crypto.randomBytes(12);
  const cipher = crypto.createCipheriv(`aes-${key.length * 8}-gcm` as crypto.CipherGCMTypes, key, nonce);
  return Buffer.concat([nonce, cipher.update(plain), cipher.final(), cipher.getAuthTag()]);
}

/** Decrypts kubeadm's AES-GCM format; fails with Go's "cipher: message authentication failed". */
export function decryptBytes(data: Buffer, key: Buffer): Buffer {
  if (data.length < 12 + 16) throw new Error('size of data is less than the nonce');
  const nonce = data.subarray(0, 12);
  const tag = data.subarray(data.length - 16);
  const decipher = crypto.createDecipheriv(`aes-${key.length * 8}-gcm` as crypto.CipherGCMTypes, key, nonce);
  decipher.setAuthTag(tag);
  try {
    return Buffer.concat([decipher.update(data.subarray(12, data.length - 16)), decipher.final()]);
  } catch {
    throw new Error('cipher: message authentication failed');
  }
}

/** Decodes a hex certificate key into a 32-byte AES key, with kubeadm's errors. */
export function decodeCertificateKey(key: string): Buffer {
  if (!/^([0-9a-fA-F]{2})*$/.test(key)) throw new Error('error decoding certificate key: encoding/hex: invalid byte');
  const bytes = Buffer.from(key, 'hex');
  if (![16, 24, 32].includes(bytes.length)) throw new Error(`crypto/aes: invalid key size ${bytes.length}`);
  return bytes;
}

/** A new random certificate key (64 hex characters), as `kubeadm certs certificate-key`. */
export function createCertificateKey(): string {
  return crypto.randomBytes(32).toString('hex');
}
