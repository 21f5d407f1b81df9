import { planOf } from '../../plan';
import { StepFailure } from '../../run-types';
import type { Step } from '../../step';
import type { PreflightFacts } from './evaluate';
import { evaluatePreflight } from './evaluate';
import type { PreflightFinding } from './findings';
import { parseListeners } from './findings';
import type { PreflightParams } from './params';
import { preflightParams } from './params';

/** Outputs of preflight: every finding, typed, and the checks that passed. */
export interface PreflightOutputs {
  errors: PreflightFinding[];
  warnings: PreflightFinding[];
  passed: string[];
}

/**
 * Checks the host can take its roles (OS, CPUs, memory, unique identity, free ports, swap,
 * cgroups, time sync). Never changes anything; fails with the list of errors when there are
 * any, and reports warnings and passed checks as outputs otherwise.
 */
export const preflight: Step<PreflightParams, PreflightFacts, PreflightOutputs> = {
  id: 'preflight',
  title: 'Check the host can take its roles',
  params: preflightParams,

  async check(host, params) {
    const sockets = await host.probe(['ss', '-Hltnp']);
    const time = await host.probe(['timedatectl', 'show', '-p', 'NTPSynchronized', '--value']);
    const facts: PreflightFacts = {
      host: host.facts,
      listeners: sockets.exitCode === 0 ? parseListeners(sockets.stdout) : [],
      nodeSetUp: await host.exists('/etc/kubernetes/kubelet.conf'),
      timeSynced: time.exitCode === 0 ? time.stdout.trim() === 'yes' : undefined,
    };
    const errors = evaluatePreflight(facts, params).findings.filter((finding) => finding.severity === 'error');
    if (errors.length > 0) {
      throw new StepFailure(
        'CHECK_FAILED',
        `preflight found ${errors.length} error${errors.length > 1 ? 's' : ''} on ${host.facts.hostName}:\n` +
          errors.map((finding) => `  [${finding.check}] ${finding.message}`).join('\n') +
          '\n(ignore a check with params.ignore only when you know why it fails)',
      );
    }
    return facts;
  },

  plan(facts, params) {
    const { findings, passed } = evaluatePreflight(facts, params);
    const warnings = findings.filter((finding) => finding.severity === 'warning');
    return planOf(
      [],
      `preflight passed ${passed.length} checks${warnings.length > 0 ? ` with ${warnings.length} warning${warnings.length > 1 ? 's' : ''}: ${warnings.map((finding) => finding.check).join(', ')}` : ''}`,
    );
  },

  async outputs(_host, params, facts) {
    const { findings, passed } = evaluatePreflight(facts, params);
    return {
      errors: findings.filter((finding) => finding.severity === 'error'),
      warnings: findings.filter((finding) => finding.severity === 'warning'),
      passed,
    };
  },
};
