// The saved queries as Athena will read them: Athena engine version 3 is
// Trino, so each query (as the stack saves it, and as local mode runs it
// with DuckDB) must parse with a Trino grammar (dt-sql-parser's TrinoSQL),
// and every column it names must be a column of the Glue table, a partition
// key, or a name the query itself defines (an alias); every field it reads
// from an `attempts` element must be a field of that struct.
import { TrinoSQL } from 'dt-sql-parser';
import type {
  AliasedRelationContext,
  ColumnRefContext,
  ColumnReferenceContext,
  DereferenceContext,
  SelectItemContext,
  UnnestContext,
  NamedQueryContext,
} from 'dt-sql-parser/dist/lib/trino/TrinoSqlParser.js';
import type { ParseTree } from 'antlr4ng';
import { describe, expect, it } from 'vitest';
import { USAGE_TABLE_NAME } from '../../infra/constructs/usage-analytics.ts';
import { renderQuery, USAGE_QUERIES } from '../../infra/queries.ts';
import { ATTEMPT_FIELDS, PARTITION_KEYS, USAGE_COLUMNS } from '../../infra/usage-layout.ts';

const trino = new TrinoSQL();
const GLUE_COLUMNS = new Set([...USAGE_COLUMNS.map((column) => column.name), ...PARTITION_KEYS.map((key) => key.name)]);
const STRUCT_COLUMNS: Record<string, ReadonlySet<string>> = { attempts: new Set(ATTEMPT_FIELDS.map((field) => field.name)) };

/** How each saved query reaches Athena (qualified, quoted, as infra/constructs/usage-analytics.ts renders it) and DuckDB (cli/analytics.ts). */
const renderings = USAGE_QUERIES.flatMap((query) => [
  { name: `${query.name} (Athena)`, sql: renderQuery(query, `"switchyard_usage"."${USAGE_TABLE_NAME}"`) },
  { name: `${query.name} (local DuckDB)`, sql: renderQuery(query, USAGE_TABLE_NAME) },
]);

const unquote = (text: string): string => (/^".*"$/.test(text) ? text.slice(1, -1).replaceAll('""', '"') : text).toLowerCase();

interface Contexts {
  AliasedRelationContext: AliasedRelationContext;
  ColumnRefContext: ColumnRefContext;
  ColumnReferenceContext: ColumnReferenceContext;
  DereferenceContext: DereferenceContext;
  SelectItemContext: SelectItemContext;
  UnnestContext: UnnestContext;
  NamedQueryContext: NamedQueryContext;
}

/** The grammar's rule contexts, told apart by class name (the package's ES build does not export them). */
const is = <K extends keyof Contexts>(node: ParseTree | null | undefined, kind: K): node is Contexts[K] & ParseTree =>
  node !== null && node !== undefined && node.constructor.name === kind;

function* descendants(node: ParseTree): Generator<ParseTree> {
  yield node;
  for (let index = 0; index < node.getChildCount(); index += 1) {
    const child = node.getChild(index);
    if (child !== null) yield* descendants(child);
  }
}

interface ColumnUse {
  /** Plain column references (`cost_micros`). */
  columns: string[];
  /** `alias.field` reads of an UNNEST element. */
  fields: Array<{ element: string; field: string }>;
  /** Names the query defines: select aliases, relation and CTE names, UNNEST element names. */
  defined: Set<string>;
  /** UNNEST element alias → the array column it unnests. */
  unnested: Map<string, string>;
}

function columnUse(sql: string): ColumnUse {
  const tree = trino.parse(sql);
  const use: ColumnUse = { columns: [], fields: [], defined: new Set(), unnested: new Map() };
  for (const node of descendants(tree)) {
    if (is(node, 'SelectItemContext') && node._alias !== undefined) use.defined.add(unquote(node._alias.getText()));
    if (is(node, 'NamedQueryContext')) use.defined.add(unquote(node.identifier().getText()));
    if (is(node, 'AliasedRelationContext')) {
      if (node._alias !== undefined) use.defined.add(unquote(node._alias.getText()));
      const elementNames = node.columnAliases()?.identifier().map((identifier) => unquote(identifier.getText())) ?? [];
      for (const name of elementNames) use.defined.add(name);
      const unnest = [...descendants(node.relationPrimary())].find((candidate) => is(candidate, 'UnnestContext'));
      if (is(unnest, 'UnnestContext')) {
        const arrays = unnest.expression().map((expression) => unquote(expression.getText()));
        elementNames.forEach((name, index) => use.unnested.set(name, arrays[index] ?? ''));
      }
    }
    // `attempt.error_code` is a dereference in an expression, a qualified name in a select item or a predicate.
    const named = (text: string): void => {
      const [first = '', ...rest] = text.split('.').map(unquote);
      if (rest.length === 0) use.columns.push(first);
      else use.fields.push({ element: first, field: rest.join('.') });
    };
    if (is(node, 'DereferenceContext')) {
      use.fields.push({ element: unquote(node.primaryExpression().getText()), field: unquote(node.identifier().getText()) });
    } else if (is(node, 'ColumnReferenceContext') && !is(node.parent, 'DereferenceContext')) {
      named(node.columnName().getText());
    } else if (is(node, 'ColumnRefContext')) {
      named(node.getText());
    }
  }
  return use;
}

/** What is wrong with a query, as messages; empty when Athena would accept it against the Glue table. */
function problems(sql: string): string[] {
  const syntax = trino.validate(sql).map((error) => `line ${error.startLine}:${error.startColumn} ${error.message}`);
  if (syntax.length > 0) return syntax;
  const use = columnUse(sql);
  const unknownColumns = use.columns.filter((name) => !GLUE_COLUMNS.has(name) && !use.defined.has(name)).map((name) => `no column ${name}`);
  const unknownFields = use.fields.flatMap(({ element, field }) => {
    const array = use.unnested.get(element);
    if (array === undefined) return [`${element}.${field} reads no UNNEST element`];
    const fields = STRUCT_COLUMNS[array];
    if (fields === undefined) return [`${array} is not an array of structs in the Glue table`];
    return fields.has(field) ? [] : [`no field ${field} in ${array}`];
  });
  return [...unknownColumns, ...unknownFields];
}

describe('the saved usage queries, read with a Trino grammar', () => {
  it.each(renderings)('$name parses as Trino and names only Glue columns', ({ sql }) => {
    expect(problems(sql)).toEqual([]);
    // The check saw the columns it is meant to check.
    expect(columnUse(sql).columns.length).toBeGreaterThan(3);
  });

  it('would catch a syntax error, an unknown column and an unknown struct field', () => {
    const base = renderings[0]?.sql ?? '';

    expect(problems('SELECT model FROM usage_records WHERE')).not.toEqual([]);
    expect(problems(base.replace('key_hash_prefix,', 'key_prefix,'))).toContain('no column key_prefix');
    expect(problems(renderQuery(USAGE_QUERIES.find((query) => query.name === 'errors-by-provider-and-code') ?? USAGE_QUERIES[0]!, 'usage_records').replace('attempt.error_code AS', 'attempt.code AS'))).toContain(
      'no field code in attempts',
    );
  });
});
