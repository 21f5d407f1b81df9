import type { Command } from 'commander';
import { register as registerAgents } from './agents';
import { register as registerCloudInit } from './cloud-init';
import { register as registerInit } from './init';
import { register as registerPlan } from './plan';
import { register as registerRun } from './run';
import { register as registerSchema } from './schema';
import { register as registerServe } from './serve';
import { register as registerToken } from './token';

/** Adds one command (with its subcommands) to the `kumi` program. */
export type CommandRegistrar = (program: Command) => void;

/** Every `kumi` command, in help order. Add one line per new command file. */
export const commandRegistrars: CommandRegistrar[] = [
  registerInit,
  registerToken,
  registerCloudInit,
  registerServe,
  registerAgents,
  registerRun,
  registerPlan,
  registerSchema,
];
