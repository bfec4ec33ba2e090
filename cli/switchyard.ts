// `switchyard`: the admin CLI. Talks to a running gateway (local mode or a
// deployed stack) through its management API with a management key.
//
//   switchyard keys create "ci runner" --limit 5 --limit-reset daily
//   switchyard keys list
//   switchyard credits add 25
//   switchyard spend
import { Command, Option } from 'commander';
import { CliError, DEFAULT_URL } from './commands/admin-client.ts';
import { commandModules } from './commands/index.ts';

function buildProgram(): Command {
  const program = new Command('switchyard')
    .description('Administer a Switchyard gateway: API keys, credits and spend')
    .addOption(new Option('--url <url>', 'the gateway (local mode or a deployed function URL)').env('SWITCHYARD_URL').default(DEFAULT_URL))
    .addOption(new Option('--key <key>', 'a management key').env('SWITCHYARD_MANAGEMENT_KEY'))
    .option('--json', 'print JSON instead of tables')
    .showHelpAfterError()
    .configureHelp({ showGlobalOptions: true });
  for (const register of commandModules) register(program);
  return program;
}

try {
  await buildProgram().parseAsync(process.argv);
} catch (error) {
  if (!(error instanceof CliError)) throw error;
  console.error(`switchyard: ${error.message}`);
  process.exitCode = 1;
}
