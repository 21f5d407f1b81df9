// Runs one real kumi step on the host it is started in, as the agent would: the host's facts
// gathered by the agent's own code, then runStep from @kumi/steps/executor. Bundled by the
// firewalld test and started with `nsenter` inside a lab host.
// usage: node run-step-in-host.cjs STEP_ID PARAMS_JSON
// Prints one JSON line: { facts: { hostName, firewall }, outcome } or { facts, error: { code, message } }.
import { findStep, StepFailure } from '@kumi/steps';
import { runStep } from '@kumi/steps/executor';
import { gatherFacts, hostFactSources } from '../../../../apps/agent/src/facts/gather-facts';

async function main(): Promise<void> {
  const [stepId = '', paramsJson = '{}'] = process.argv.slice(2);
  const step = findStep(stepId);
  if (step === undefined) throw new Error(`unknown step "${stepId}"`);
  const facts = await gatherFacts(hostFactSources());
  const seen = { hostName: facts.hostName, firewall: facts.firewall };
  const commands: string[][] = [];
  try {
    const outcome = await runStep(step, {
      root: '/',
      facts,
      params: JSON.parse(paramsJson) as unknown,
      secrets: {},
      dryRun: false,
      spawnObserver: (argv) => commands.push([...argv]),
    });
    process.stdout.write(`${JSON.stringify({ facts: seen, outcome, commands })}\n`);
  } catch (error) {
    const code = error instanceof StepFailure ? error.code : 'INTERNAL';
    process.stdout.write(`${JSON.stringify({ facts: seen, error: { code, message: (error as Error).message }, commands })}\n`);
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`run-step-in-host: ${(error as Error).stack ?? String(error)}\n`);
  process.exitCode = 1;
});
