// Imported first by main.ts, so that the flag is set before the rest of the bundle is
// evaluated (imports run in order, before main.ts's own body).
import { keepYoungGenerationSmall } from './young-generation';

keepYoungGenerationSmall();
