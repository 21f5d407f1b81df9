import packageJson from '../../package.json' with { type: 'json' };

/** The coordinator's version, from its package.json. */
export const KUMI_VERSION: string = packageJson.version;
