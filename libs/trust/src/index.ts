export type { KeyPairPem } from './certificates';
export { createCa, createKeyAndCsr, issueServerCert, signClientCsr } from './certificates';
export { ClientCertIssuer, CsrRefusedError, readClientCsr, type VerifiedCsr } from './client-cert';
export { checkKeyPolicy, KEY_POLICY_TEXT, type KeyPolicyVerdict } from './key-policy';
export type { PeerCheck } from './verify';
export { assertPinFormat, caPin, certCommonName, derToPem, matchesPin, verifyPeerCert } from './verify';
export { isValidHostName } from './host-name';
export type { BootstrapToken } from './bootstrap-token';
export { TokenFormatError, generateBootstrapToken, hashTokenSecret, parseBootstrapToken, tokenSecretMatches } from './bootstrap-token';
