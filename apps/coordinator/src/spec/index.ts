export { loadSpec, parseSpecText, type LoadedSpec } from './load';
export { formatSpecPath, formatSpecProblem, SpecError, type SpecPath, type SpecProblem } from './problems';
export { clusterSpecSchema, SPEC_API_VERSION, type ClusterSpec, type HostRole, type HostSpec } from './schema';
export { specJsonSchema } from './json-schema';
export { SUPPORTED_KUBERNETES_MINORS, kubernetesMinor } from './kubernetes-versions';
export { hasRole, topologyOf, type Topology } from './topology';
