export type { KeyPairPem } from './certificates';
export { createCa, createKeyAndCsr, issueServerCert, signClientCsr } from './certificates';
export type { PeerCheck } from './verify';
export { assertPinFormat, caPin, certCommonName, derToPem, matchesPin, verifyPeerCert } from './verify';
export { isValidHostName } from './host-name';
export type { BootstrapToken } from './bootstrap-token';
export { TokenFormatError, generateBootstrapToken, hashTokenSecret, parseBootstrapToken, tokenSecretMatches } from './bootstrap-token';
