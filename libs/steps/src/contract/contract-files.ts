import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { StepCases } from './step-contract';

/** The folder holding the steps' folders (`steps/<dir>/<step>.ts`; a folder may hold several related steps). */
const STEPS_DIR = path.join(import.meta.dirname, '..', 'steps');

/** Every `steps/<dir>/*.contract.ts` (one per step), with the cases it exports as `contract`. */
export async function loadContractFiles(stepsDir = STEPS_DIR): Promise<{ file: string; cases: StepCases | undefined }[]> {
  const out: { file: string; cases: StepCases | undefined }[] = [];
  for (const dir of readdirSync(stepsDir).sort()) {
    const folder = path.join(stepsDir, dir);
    if (!statSync(folder).isDirectory()) continue;
    for (const name of readdirSync(folder).filter((n) => n.endsWith('.contract.ts')).sort()) {
      const file = path.join(folder, name);
      const loaded = (await import(pathToFileURL(file).href)) as { contract?: StepCases };
      out.push({ file: path.relative(stepsDir, file), cases: loaded.contract });
    }
  }
  return out;
}
