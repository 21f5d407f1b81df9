// The `csr` part (see runtime/agent-parts.ts): key and CSR making, which brings
// @peculiar/x509 and its ASN.1 stack. Only enrollment needs it, once in an agent's life.
export { createKeyAndCsr } from '@kumi/trust';
