import { fileURLToPath } from 'node:url';

/** The journal `npm run demo` wrote in the lab (kumi up, verify, drill of the seed), as recorded on 2026-12-06. */
export const LAB_DEMO_JOURNAL = fileURLToPath(new URL('./fixtures/lab-demo-journal.ndjson', import.meta.url));
/** Its `kumi up` run. */
export const LAB_DEMO_UP_RUN = 'e27d7fbb-eca7-435f-99b8-955792806edb';
