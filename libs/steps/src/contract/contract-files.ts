import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { StepCases } from './step-contract';

/** The folder holding one folder per step (`steps/<dir>/<dir>.ts`). */
const STEPS_DIR = path.join(import.meta.dirname, '..', 'steps');

/** Every `steps/<dir>/<dir>.contract.ts`, with the cases it exports as `contract`. */
export async function loadContractFiles(stepsDir = STEPS_DIR): Promise<{ file: string; cases: StepCases | undefined }[]> {
  const out: { file: string; cases: StepCases | undefined }[] = [];
  for (const dir of readdirSync(stepsDir).sort()) {
    const file = path.join(stepsDir, dir, `${dir}.contract.ts`);
    if (!existsSync(file)) continue;
    const loaded = (await import(pathToFileURL(file).href)) as { contract?: StepCases };
    out.push({ file: path.relative(stepsDir, file), cases: loaded.contract });
  }
  return out;
}
