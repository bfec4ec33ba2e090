// Arguments a simulated model "chooses" for a tool, and the object it answers
// a `json_schema` response format with: the smallest value the JSON schema
// accepts, every required property filled with a placeholder of its type
// (strings "example", numbers 1, booleans true) within the schema's bounds
// (lengths, minimum and maximum, string formats), `$ref`s to `$defs` or
// `definitions` followed.

const MAX_DEPTH = 8;

/** Example arguments for a tool whose parameters are `schema` (an object schema, or absent). */
export function exampleArguments(schema: unknown): Record<string, unknown> {
  const value = exampleValue(schema, 0, schema);
  return isRecord(value) && !Array.isArray(value) ? value : {};
}

function exampleValue(schema: unknown, depth: number, root: unknown): unknown {
  if (!isRecord(schema) || depth > MAX_DEPTH) return {};
  if (typeof schema.$ref === 'string') return exampleValue(resolveRef(schema.$ref, root), depth + 1, root);
  if ('const' in schema) return schema.const;
  if (Array.isArray(schema.enum) && schema.enum.length > 0) return schema.enum[0];
  for (const key of ['anyOf', 'oneOf', 'allOf'] as const) {
    const options = schema[key];
    if (Array.isArray(options) && options.length > 0) return exampleValue(options[0], depth + 1, root);
  }
  switch (schemaType(schema)) {
    case 'string':
      return exampleString(schema);
    case 'number':
    case 'integer':
      return exampleNumber(schema);
    case 'boolean':
      return true;
    case 'null':
      return null;
    case 'array': {
      const minItems = typeof schema.minItems === 'number' ? schema.minItems : 0;
      return Array.from({ length: Math.min(minItems, 3) }, () => exampleValue(schema.items, depth + 1, root));
    }
    case 'object':
      return exampleObject(schema, depth, root);
    case undefined:
      return isRecord(schema.properties) ? exampleObject(schema, depth, root) : 'example';
  }
}

function exampleObject(schema: Record<string, unknown>, depth: number, root: unknown): Record<string, unknown> {
  const properties = isRecord(schema.properties) ? schema.properties : {};
  const required = Array.isArray(schema.required) ? schema.required.filter((name) => typeof name === 'string') : [];
  const value: Record<string, unknown> = {};
  for (const name of required) value[name] = exampleValue(properties[name], depth + 1, root);
  return value;
}

const FORMATTED: Readonly<Record<string, string>> = {
  'date-time': '2026-01-01T00:00:00Z',
  date: '2026-01-01',
  time: '00:00:00Z',
  email: 'user@example.com',
  uri: 'https://example.com/',
  uuid: '00000000-0000-4000-8000-000000000000',
};

function exampleString(schema: Record<string, unknown>): string {
  const formatted = typeof schema.format === 'string' ? FORMATTED[schema.format] : undefined;
  if (formatted !== undefined) return formatted;
  const minLength = typeof schema.minLength === 'number' ? schema.minLength : 0;
  const maxLength = typeof schema.maxLength === 'number' ? schema.maxLength : Number.POSITIVE_INFINITY;
  return 'example'.padEnd(minLength, 'x').slice(0, maxLength);
}

function exampleNumber(schema: Record<string, unknown>): number {
  const integer = schemaType(schema) === 'integer';
  const step = integer ? 1 : 0.5;
  let value = 1;
  if (typeof schema.minimum === 'number' && value < schema.minimum) value = schema.minimum;
  if (typeof schema.exclusiveMinimum === 'number' && value <= schema.exclusiveMinimum) value = schema.exclusiveMinimum + step;
  if (typeof schema.maximum === 'number' && value > schema.maximum) value = schema.maximum;
  if (typeof schema.exclusiveMaximum === 'number' && value >= schema.exclusiveMaximum) value = schema.exclusiveMaximum - step;
  return integer ? Math.ceil(value) : value;
}

/** A local `$ref` (`#`, `#/$defs/Name`, `#/definitions/Name`, any JSON pointer into the root). */
function resolveRef(ref: string, root: unknown): unknown {
  if (!ref.startsWith('#')) return undefined;
  let target: unknown = root;
  for (const segment of ref.slice(1).split('/').filter((part) => part !== '')) {
    if (!isRecord(target)) return undefined;
    target = target[segment.replaceAll('~1', '/').replaceAll('~0', '~')];
  }
  return target;
}

type SchemaType = 'string' | 'number' | 'integer' | 'boolean' | 'null' | 'array' | 'object';

/** JSON Schema's `type`, or Gemini's upper-case OpenAPI form (`STRING`); the first non-null of a list. */
function schemaType(schema: Record<string, unknown>): SchemaType | undefined {
  const declared = Array.isArray(schema.type) ? schema.type : [schema.type];
  const names = declared.filter((name): name is string => typeof name === 'string').map((name) => name.toLowerCase());
  const chosen = names.find((name) => name !== 'null') ?? names[0];
  switch (chosen) {
    case 'string':
    case 'number':
    case 'integer':
    case 'boolean':
    case 'null':
    case 'array':
    case 'object':
      return chosen;
    default:
      return undefined;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}
