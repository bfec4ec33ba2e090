// An in-memory DynamoDB table for the hot-account simulation: just the
// expression forms lib/store's account, lease and key-spend writes use
// (SET a = b ± :v, SET path = :v, REMOVE, ADD; conditions joined by AND/OR,
// comparisons, attribute_exists / attribute_not_exists), applied atomically
// per item, with each write's size in write units (1 KB each, the larger of
// the item before and after) and the 400 KB item limit enforced, counted per
// item per simulated second. It answers nothing else; it is not a DynamoDB.
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import type { Table } from '../lib/store/dynamo.ts';

type Item = Record<string, AttributeValue>;
type Names = Record<string, string> | undefined;
type Values = Record<string, AttributeValue> | undefined;

const MAX_ITEM_BYTES = 400 * 1024;

class ConditionalCheckFailed extends Error {
  override name = 'ConditionalCheckFailedException';
}

/** DynamoDB's item size: attribute names and values in bytes (numbers about one byte per two digits). */
export function itemBytes(item: Item): number {
  let bytes = 0;
  for (const [name, value] of Object.entries(item)) bytes += Buffer.byteLength(name) + valueBytes(value);
  return bytes;
}

function valueBytes(value: AttributeValue): number {
  if (value.S !== undefined) return Buffer.byteLength(value.S);
  if (value.N !== undefined) return Math.ceil(value.N.replace(/^-/, '').replace('.', '').length / 2) + 1;
  if (value.M !== undefined) return 3 + itemBytes(value.M) + Object.keys(value.M).length;
  if (value.BOOL !== undefined || value.NULL !== undefined) return 1;
  return 8;
}

function resolvePath(path: string, names: Names): string[] {
  return path.split('.').map((part) => (part.startsWith('#') ? (names?.[part] ?? part) : part));
}

function read(item: Item, path: string[]): AttributeValue | undefined {
  let current: AttributeValue | undefined = { M: item };
  for (const part of path) current = current?.M?.[part];
  return current;
}

/** Puts back what a refused update changed, last change first. */
type UndoLog = (() => void)[];

/** Sets (or with no value removes) the attribute at `path`; returns how many bytes the item grew by. */
function write(item: Item, path: string[], value: AttributeValue | undefined, undo: UndoLog): number {
  let container: Item = item;
  for (const part of path.slice(0, -1)) {
    const next = container[part]?.M;
    if (next === undefined) throw new Error(`the document path ${path.join('.')} is invalid for update`);
    container = next;
  }
  const last = path.at(-1) as string;
  // Inside a map, an entry costs its name, its value and one byte more.
  const entryBytes = (entry: AttributeValue | undefined): number => (entry === undefined ? 0 : Buffer.byteLength(last) + valueBytes(entry) + (path.length > 1 ? 1 : 0));
  const previous = container[last];
  const grown = entryBytes(value) - entryBytes(previous);
  const target = container;
  undo.push(() => {
    if (previous === undefined) delete target[last];
    else target[last] = previous;
  });
  if (value === undefined) delete container[last];
  else container[last] = value;
  return grown;
}

function operand(token: string, item: Item, names: Names, values: Values): AttributeValue | undefined {
  const trimmed = token.trim();
  if (trimmed.startsWith(':')) return values?.[trimmed];
  return read(item, resolvePath(trimmed, names));
}

const number = (value: AttributeValue | undefined): number => Number(value?.N ?? Number.NaN);

function splitTop(text: string, separator: RegExp): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let index = 0; index < text.length; index += 1) {
    const char = text[index];
    if (char === '(') depth += 1;
    else if (char === ')') depth -= 1;
    else if (depth === 0) {
      separator.lastIndex = index;
      const match = separator.exec(text);
      if (match !== null && match.index === index) {
        parts.push(text.slice(start, index));
        start = index + match[0].length;
        index = start - 1;
      }
    }
  }
  parts.push(text.slice(start));
  return parts.map((part) => part.trim());
}

function condition(text: string, item: Item, names: Names, values: Values): boolean {
  const trimmed = text.trim();
  const ors = splitTop(trimmed, / OR /y);
  if (ors.length > 1) return ors.some((part) => condition(part, item, names, values));
  const ands = splitTop(trimmed, / AND /y);
  if (ands.length > 1) return ands.every((part) => condition(part, item, names, values));
  if (trimmed.startsWith('(') && trimmed.endsWith(')')) return condition(trimmed.slice(1, -1), item, names, values);
  const exists = /^attribute_(not_)?exists\((.+)\)$/.exec(trimmed);
  if (exists !== null) return (read(item, resolvePath(exists[2] as string, names)) !== undefined) !== (exists[1] !== undefined);
  const comparison = /^(.+?)\s*(>=|<=|=|<>|<|>)\s*(.+)$/.exec(trimmed);
  if (comparison === null) throw new Error(`condition not understood by the fake table: ${trimmed}`);
  const left = operand(comparison[1] as string, item, names, values);
  const right = operand(comparison[3] as string, item, names, values);
  if (left === undefined || right === undefined) return false;
  const [a, b] = left.N !== undefined ? [number(left), number(right)] : [left.S, right.S];
  switch (comparison[2]) {
    case '>=':
      return (a as number) >= (b as number);
    case '<=':
      return (a as number) <= (b as number);
    case '<':
      return (a as number) < (b as number);
    case '>':
      return (a as number) > (b as number);
    case '<>':
      return a !== b;
    default:
      return a === b;
  }
}

function update(expression: string, item: Item, names: Names, values: Values, undo: UndoLog): number {
  let grown = 0;
  const clauses = expression.split(/\b(SET|REMOVE|ADD)\b/).map((part) => part.trim()).filter((part) => part !== '');
  for (let index = 0; index < clauses.length; index += 2) {
    const action = clauses[index];
    const body = clauses[index + 1] ?? '';
    for (const entry of splitTop(body, /,/y)) {
      if (action === 'REMOVE') grown += write(item, resolvePath(entry, names), undefined, undo);
      else if (action === 'ADD') {
        const [path, value] = entry.split(/\s+/) as [string, string];
        const target = resolvePath(path, names);
        grown += write(item, target, { N: String((Number.isNaN(number(read(item, target))) ? 0 : number(read(item, target))) + number(values?.[value])) }, undo);
      } else {
        const [path, right] = entry.split('=').map((part) => part.trim()) as [string, string];
        const arithmetic = /^(.+?)\s*([+-])\s*(.+)$/.exec(right);
        const value = arithmetic === null
          ? operand(right, item, names, values)
          : { N: String(number(operand(arithmetic[1] as string, item, names, values)) + (arithmetic[2] === '+' ? 1 : -1) * number(operand(arithmetic[3] as string, item, names, values))) };
        grown += write(item, resolvePath(path, names), value, undo);
      }
    }
  }
  return grown;
}

export interface ItemTraffic {
  writes: number;
  writeUnits: number;
  failedConditions: number;
  reads: number;
  maxBytes: number;
}

export interface FakeTable {
  table: Table;
  /** Per item (partition key), per simulated second. */
  traffic(): Map<string, Map<number, ItemTraffic>>;
  /** Writes refused because the item would pass 400 KB. */
  oversized(): number;
}

export function createFakeTable(now: () => number): FakeTable {
  const items = new Map<string, Item>();
  // Kept up to date write by write: measuring a 300 KB item on every write would be the simulation's whole cost.
  const sizes = new Map<string, number>();
  const traffic = new Map<string, Map<number, ItemTraffic>>();
  let oversized = 0;
  const count = (pk: string): ItemTraffic => {
    const second = Math.floor(now() / 1000);
    let seconds = traffic.get(pk);
    if (seconds === undefined) traffic.set(pk, (seconds = new Map()));
    let entry = seconds.get(second);
    if (entry === undefined) seconds.set(second, (entry = { writes: 0, writeUnits: 0, failedConditions: 0, reads: 0, maxBytes: 0 }));
    return entry;
  };
  const client = {
    async send(command: { constructor: { name: string }; input: Record<string, unknown> }): Promise<unknown> {
      const input = command.input as { Key?: Item; Item?: Item; UpdateExpression?: string; ConditionExpression?: string; ExpressionAttributeNames?: Names; ExpressionAttributeValues?: Values };
      const key = input.Key ?? input.Item ?? {};
      const pk = `${key.pk?.S ?? ''}|${key.sk?.S ?? ''}`;
      const existing = items.get(pk);
      switch (command.constructor.name) {
        case 'GetItemCommand':
          count(pk).reads += 1;
          return { Item: existing === undefined ? undefined : structuredClone(existing) };
        case 'PutItemCommand':
        case 'UpdateItemCommand': {
          const entry = count(pk);
          const before = existing ?? {};
          const beforeBytes = existing === undefined ? 0 : (sizes.get(pk) ?? itemBytes(existing));
          const units = (bytes: number) => Math.max(1, Math.ceil(bytes / 1024));
          if (input.ConditionExpression !== undefined && !condition(input.ConditionExpression, before, input.ExpressionAttributeNames, input.ExpressionAttributeValues)) {
            // A failed condition still costs the write units of the item as it is.
            entry.writes += 1;
            entry.failedConditions += 1;
            entry.writeUnits += units(beforeBytes);
            throw new ConditionalCheckFailed('The conditional request failed');
          }
          let after: Item;
          let afterBytes: number;
          const undo: UndoLog = [];
          if (command.constructor.name === 'PutItemCommand' || existing === undefined) {
            after = structuredClone({ ...(input.Item ?? {}), ...key });
            if (command.constructor.name === 'UpdateItemCommand') update(input.UpdateExpression ?? '', after, input.ExpressionAttributeNames, input.ExpressionAttributeValues, undo);
            afterBytes = itemBytes(after);
          } else {
            after = existing;
            afterBytes = beforeBytes + update(input.UpdateExpression ?? '', after, input.ExpressionAttributeNames, input.ExpressionAttributeValues, undo);
          }
          if (afterBytes > MAX_ITEM_BYTES) {
            // Refused whole, as DynamoDB refuses it; the item goes back to what it was.
            for (const step of undo.reverse()) step();
            oversized += 1;
            throw Object.assign(new Error('Item size has exceeded the maximum allowed size'), { name: 'ValidationException' });
          }
          items.set(pk, after);
          sizes.set(pk, afterBytes);
          entry.writes += 1;
          entry.writeUnits += units(Math.max(beforeBytes, afterBytes));
          entry.maxBytes = Math.max(entry.maxBytes, afterBytes);
          // The store reads `available` from what a write returns.
          return { Attributes: after.available === undefined ? {} : { available: after.available } };
        }
        default:
          throw new Error(`the fake table does not answer ${command.constructor.name}`);
      }
    },
  };
  return { table: { client: client as unknown as Table['client'], name: 'simulated' }, traffic: () => traffic, oversized: () => oversized };
}
