// Every command module of the admin CLI; cli/switchyard.ts registers each.
// A new module adds one line here.
import type { Command } from 'commander';
import { registerAnalytics } from './analytics.ts';
import { registerBackfillListing } from './backfill-listing.ts';
import { registerBootstrap } from './bootstrap.ts';
import { registerCredits } from './credits.ts';
import { registerKeys, registerSpend } from './keys.ts';

export const commandModules: readonly ((program: Command) => unknown)[] = [
  registerKeys,
  registerCredits,
  registerSpend,
  (program) => registerAnalytics(program),
  (program) => registerBootstrap(program),
  (program) => registerBackfillListing(program),
];
