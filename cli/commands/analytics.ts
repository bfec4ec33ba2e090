// `switchyard analytics [query] [--data-dir <dir>] [--json]`: the saved usage
// queries over local mode's usage files, printed as tables.
import path from 'node:path';
import type { Command } from 'commander';
import { formatResults, queryNames, runUsageQueries } from '../analytics.ts';

export interface AnalyticsOutput {
  write(text: string): void;
}

const stdout: AnalyticsOutput = { write: (text) => process.stdout.write(text) };

export function registerAnalytics(program: Command, output: AnalyticsOutput = stdout): Command {
  return program
    .command('analytics')
    .description('run the saved usage queries (the Athena ones) over local mode\'s usage files with DuckDB')
    .argument('[query]', `one of: ${queryNames().join(', ')} (default: all)`)
    .option('--data-dir <dir>', 'local mode\'s data folder (default: $SWITCHYARD_DATA_DIR or .data)')
    .option('--json', 'print the rows as JSON instead of tables')
    .action(async function (this: Command, query: string | undefined) {
      // The admin CLI has a global --json too, which takes the flag wherever it stands.
      const options = this.optsWithGlobals<{ dataDir?: string; json?: boolean }>();
      if (query !== undefined && !queryNames().includes(query)) {
        this.error(`error: unknown query "${query}"; choose one of: ${queryNames().join(', ')}`);
      }
      const dataDir = path.resolve(options.dataDir ?? process.env.SWITCHYARD_DATA_DIR ?? '.data');
      const results = await runUsageQueries(dataDir, query);
      if (options.json === true) {
        const document = Object.fromEntries(results.map((result) => [result.query.name, result.rows]));
        output.write(`${JSON.stringify(document, null, 2)}\n`);
      } else {
        output.write(formatResults(results));
      }
    });
}
