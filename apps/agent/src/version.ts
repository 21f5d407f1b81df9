import rootPackage from '../../../package.json' with { type: 'json' };

/** The kumi release this agent belongs to (the repository version, embedded at build). */
export const AGENT_VERSION: string = rootPackage.version;
