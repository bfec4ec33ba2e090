// `switchyard credits add|show`: the account's balance through
// GET/POST /api/v1/credits. Requests reserve their worst case first, so
// "available" can be below credits − usage while requests are in flight or
// a running gateway holds a lease (credit set aside for its next requests).
import { InvalidArgumentError, type Command } from 'commander';
import { adminClient, globalOptions } from './admin-client.ts';
import { printJson, table, usd } from './output.ts';

interface WireCredits {
  total_credits: number;
  total_usage: number;
  reserved?: number;
  reserved_by_requests?: number;
  requests_in_flight?: number;
  reserved_by_leases?: number;
  leases?: number;
  available?: number;
}

const amountArgument = (value: string): number => {
  const amount = Number(value);
  if (value.trim() === '' || !Number.isFinite(amount) || amount === 0) {
    throw new InvalidArgumentError('must be an amount of USD, like 10 or 2.50 (negative to correct a mistake)');
  }
  return amount;
};

function show(credits: WireCredits): string {
  const rows: [string, string][] = [
    ['credits', usd(credits.total_credits)],
    ['usage', usd(credits.total_usage)],
    ['balance', usd(credits.total_credits - credits.total_usage)],
  ];
  if (credits.reserved_by_requests !== undefined) rows.push([`held by requests in flight (${credits.requests_in_flight ?? 0})`, usd(credits.reserved_by_requests)]);
  // A lease is credit a running gateway holds for its next requests; what they cost is charged from it.
  if (credits.reserved_by_leases !== undefined) rows.push([`leased by running gateways (${credits.leases ?? 0})`, usd(credits.reserved_by_leases)]);
  if (credits.reserved_by_requests === undefined && credits.reserved !== undefined) rows.push(['held (requests and leases)', usd(credits.reserved)]);
  if (credits.available !== undefined) rows.push(['available to new requests', usd(credits.available)]);
  return table(rows, [
    { title: 'ACCOUNT', value: (row) => row[0] },
    { title: 'USD', value: (row) => row[1], align: 'right' },
  ]);
}

export function registerCredits(program: Command): void {
  const credits = program.command('credits').description("show and add to the account's credits");

  credits
    .command('show')
    .description('credits, usage and balance of the account of the management key')
    .action(async (_options: unknown, command: Command) => {
      const result = await adminClient(command).get<{ data: WireCredits }>('/credits');
      if (globalOptions(command).json === true) return printJson(result);
      console.log(show(result.data));
    });

  credits
    .command('add')
    .description('add credits (USD) to the account of the management key')
    .argument('<usd>', 'the amount, e.g. 25 or 2.50', amountArgument)
    .action(async (amount: number, _options: unknown, command: Command) => {
      const result = await adminClient(command).post<{ data: WireCredits }>('/credits', { amount });
      if (globalOptions(command).json === true) return printJson(result);
      console.log(`${amount > 0 ? 'Added' : 'Removed'} ${usd(Math.abs(amount))}.\n\n${show(result.data)}`);
    });
}
