// `switchyard keys …` and `switchyard spend`: API keys through the
// key-management API (GET/POST /api/v1/keys, PATCH/DELETE /api/v1/keys/{hash}).
// A key is named by its hash or any unambiguous start of it.
import { InvalidArgumentError, Option, type Command } from 'commander';
import { adminClient, CliError, globalOptions, type AdminClient } from './admin-client.ts';
import { dateOnly, printJson, shortHash, table, usd, type Column } from './output.ts';

/** The fields of OpenRouter's Key object the CLI shows. */
export interface WireKey {
  hash: string;
  name: string;
  label: string;
  disabled: boolean;
  limit: number | null;
  limit_remaining: number | null;
  limit_reset: string | null;
  usage: number;
  usage_daily: number;
  usage_weekly: number;
  usage_monthly: number;
  created_at: string;
  expires_at: string | null;
  requests_per_minute?: number | null;
}

const PAGE_SIZE = 100;

export async function allKeys(client: AdminClient, includeDisabled: boolean): Promise<WireKey[]> {
  const keys: WireKey[] = [];
  for (let offset = 0; ; offset += PAGE_SIZE) {
    const page = await client.get<{ data: WireKey[] }>(`/keys?include_disabled=${includeDisabled}&offset=${offset}`);
    keys.push(...page.data);
    if (page.data.length < PAGE_SIZE) return keys;
  }
}

/** A full hash, or the one key whose hash starts with `prefix`. */
async function resolveHash(client: AdminClient, prefix: string): Promise<string> {
  const wanted = prefix.trim().toLowerCase();
  if (/^[0-9a-f]{64}$/.test(wanted)) return wanted;
  if (!/^[0-9a-f]{4,63}$/.test(wanted)) throw new CliError(`${prefix} is not a key hash (as \`switchyard keys list\` shows it)`);
  const matches = (await allKeys(client, true)).filter((key) => key.hash.startsWith(wanted));
  if (matches.length === 0) throw new CliError(`no key's hash starts with ${wanted}`);
  if (matches.length > 1) throw new CliError(`${wanted} matches ${matches.length} keys: give more of the hash`);
  return (matches[0] as WireKey).hash;
}

const usdArgument = (value: string): number => {
  const amount = Number(value);
  if (value.trim() === '' || !Number.isFinite(amount) || amount < 0) throw new InvalidArgumentError('must be an amount of USD, like 5 or 0.25');
  return amount;
};

const countArgument = (value: string): number => {
  const count = Number(value);
  if (!Number.isInteger(count) || count <= 0) throw new InvalidArgumentError('must be a whole number above zero');
  return count;
};

const keyColumns: Column<WireKey>[] = [
  { title: 'HASH', value: (key) => shortHash(key.hash) },
  { title: 'NAME', value: (key) => key.name },
  { title: 'LABEL', value: (key) => key.label },
  { title: 'STATUS', value: (key) => (key.disabled ? 'disabled' : key.expires_at !== null && Date.parse(key.expires_at) <= Date.now() ? 'expired' : 'active') },
  { title: 'LIMIT', value: (key) => (key.limit === null ? '-' : `${usd(key.limit)}${key.limit_reset === null ? '' : `/${key.limit_reset}`}`), align: 'right' },
  { title: 'REMAINING', value: (key) => usd(key.limit_remaining), align: 'right' },
  { title: 'USAGE', value: (key) => usd(key.usage), align: 'right' },
  { title: 'RPM', value: (key) => (key.requests_per_minute == null ? '-' : String(key.requests_per_minute)), align: 'right' },
  { title: 'EXPIRES', value: (key) => dateOnly(key.expires_at) },
  { title: 'CREATED', value: (key) => dateOnly(key.created_at) },
];

export function registerKeys(program: Command): void {
  const keys = program.command('keys').description('create, list, disable, enable and delete API keys');

  keys
    .command('create')
    .description('create an API key; its secret is shown once')
    .argument('<name>', 'a name to recognise the key by')
    .option('--limit <usd>', 'spending limit in USD', usdArgument)
    .addOption(new Option('--limit-reset <period>', 'when the limit starts again (00:00 UTC; weeks start Monday)').choices(['daily', 'weekly', 'monthly']))
    .option('--expires-at <iso>', 'the key stops working at this UTC time, e.g. 2027-01-01T00:00:00Z')
    .option('--rpm <requests>', 'requests per minute this key may make', countArgument)
    .action(async (name: string, options: { limit?: number; limitReset?: string; expiresAt?: string; rpm?: number }, command: Command) => {
      const client = adminClient(command);
      const created = await client.post<{ data: WireKey; key: string }>('/keys', {
        name,
        limit: options.limit,
        limit_reset: options.limitReset,
        expires_at: options.expiresAt,
        requests_per_minute: options.rpm,
      });
      if (globalOptions(command).json === true) return printJson(created);
      console.log(`Created key "${created.data.name}" (hash ${shortHash(created.data.hash)}).\n\n  ${created.key}\n\nStore it now: it is not shown again.`);
    });

  keys
    .command('list')
    .alias('ls')
    .description('list API keys with their limits and usage')
    .option('--include-disabled', 'list disabled keys too')
    .action(async (options: { includeDisabled?: boolean }, command: Command) => {
      const list = await allKeys(adminClient(command), options.includeDisabled === true);
      if (globalOptions(command).json === true) return printJson({ data: list });
      console.log(list.length === 0 ? 'No keys.' : table(list, keyColumns));
    });

  for (const [verb, disabled] of [['disable', true], ['enable', false]] as const) {
    keys
      .command(verb)
      .description(`${verb} an API key (other gateway containers notice within a minute)`)
      .argument('<hash>', 'the key hash, or its start as `keys list` shows it')
      .action(async (hash: string, _options: unknown, command: Command) => {
        const client = adminClient(command);
        const updated = await client.patch<{ data: WireKey }>(`/keys/${await resolveHash(client, hash)}`, { disabled });
        if (globalOptions(command).json === true) return printJson(updated);
        console.log(`${disabled ? 'Disabled' : 'Enabled'} key "${updated.data.name}" (${shortHash(updated.data.hash)}).`);
      });
  }

  keys
    .command('delete')
    .alias('rm')
    .description('delete an API key for good')
    .argument('<hash>', 'the key hash, or its start as `keys list` shows it')
    .action(async (hash: string, _options: unknown, command: Command) => {
      const client = adminClient(command);
      const full = await resolveHash(client, hash);
      const result = await client.delete<{ deleted: boolean }>(`/keys/${full}`);
      if (globalOptions(command).json === true) return printJson(result);
      console.log(`Deleted key ${shortHash(full)}.`);
    });
}

const spendColumns: Column<WireKey>[] = [
  { title: 'HASH', value: (key) => shortHash(key.hash) },
  { title: 'NAME', value: (key) => key.name },
  { title: 'TODAY', value: (key) => usd(key.usage_daily), align: 'right' },
  { title: 'THIS WEEK', value: (key) => usd(key.usage_weekly), align: 'right' },
  { title: 'THIS MONTH', value: (key) => usd(key.usage_monthly), align: 'right' },
  { title: 'TOTAL', value: (key) => usd(key.usage), align: 'right' },
  { title: 'LIMIT LEFT', value: (key) => usd(key.limit_remaining), align: 'right' },
];

export function registerSpend(program: Command): void {
  program
    .command('spend')
    .description('recent spend per key (UTC days; weeks start Monday), most this month first')
    .action(async (_options: unknown, command: Command) => {
      const list = (await allKeys(adminClient(command), true)).sort((a, b) => b.usage_monthly - a.usage_monthly || b.usage - a.usage);
      const totals = {
        usage_daily: list.reduce((sum, key) => sum + key.usage_daily, 0),
        usage_weekly: list.reduce((sum, key) => sum + key.usage_weekly, 0),
        usage_monthly: list.reduce((sum, key) => sum + key.usage_monthly, 0),
        usage: list.reduce((sum, key) => sum + key.usage, 0),
      };
      if (globalOptions(command).json === true) {
        return printJson({ data: list.map(({ hash, name, usage, usage_daily, usage_weekly, usage_monthly, limit_remaining }) => ({ hash, name, usage, usage_daily, usage_weekly, usage_monthly, limit_remaining })), totals });
      }
      if (list.length === 0) return console.log('No keys.');
      const totalRow: WireKey = { ...(list[0] as WireKey), hash: '', name: 'all keys', limit_remaining: null, ...totals };
      console.log(table([...list, totalRow], spendColumns));
    });
}
