import type { Command } from 'commander';
import { register as registerAgents } from './agents';
import { register as registerBackup } from './backup';
import { register as registerCerts } from './certs';
import { register as registerCloudInit } from './cloud-init';
import { register as registerCompletion } from './completion';
import { register as registerDrill } from './drill';
import { register as registerInit } from './init';
import { register as registerPlan } from './plan';
import { register as registerReport } from './report';
import { register as registerReset } from './reset';
import { register as registerRemove } from './remove';
import { register as registerRun } from './run';
import { register as registerSchema } from './schema';
import { register as registerServe } from './serve';
import { register as registerStatus } from './status';
import { register as registerToken } from './token';
import { register as registerUp } from './up';
import { register as registerUpgrade } from './upgrade';
import { register as registerVerify } from './verify';

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
  registerUp,
  registerStatus,
  registerVerify,
  registerDrill,
  registerReport,
  registerReset,
  registerCerts,
  registerBackup,
  registerRemove,
  registerCompletion,
  registerUpgrade,
];
