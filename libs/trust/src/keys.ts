import { subtle, x509, EC_KEY, type CryptoKey, type CryptoKeyPair } from './x509-provider';

/** A fresh ECDSA P-256 key pair; the private key is extractable only to be saved as PEM. */
export async function generateKeyPair(): Promise<CryptoKeyPair> {
  return (await subtle.generateKey(EC_KEY, true, ['sign', 'verify'])) as CryptoKeyPair;
}

/** PKCS#8 PEM ("PRIVATE KEY"), the form Node's TLS and kubeadm both read. */
export async function privateKeyToPem(key: CryptoKey): Promise<string> {
  const der = await subtle.exportKey('pkcs8', key);
  return x509.PemConverter.encode(der, 'PRIVATE KEY');
}

export async function privateKeyFromPem(pem: string): Promise<CryptoKey> {
  const der = x509.PemConverter.decode(pem)[0];
  if (!der) throw new Error('no PEM block found in private key');
  return subtle.importKey('pkcs8', der, EC_KEY, false, ['sign']);
}
