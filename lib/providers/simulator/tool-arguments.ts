// Arguments a simulated model "chooses" for a tool: the smallest value the
// tool's JSON schema accepts, every required property filled with a
// placeholder of its type (strings "example", numbers 1, booleans true).

const MAX_DEPTH = 8;

/** Example arguments for a tool whose parameters are `schema` (an object schema, or absent). */
export function exampleArguments(schema: unknown): Record<string, unknown> {
  const value = exampleValue(schema, 0);
  return isRecord(value) && !Array.isArray(value) ? value : {};
}

function exampleValue(schema: unknown, depth: number): unknown {
  if (!isRecord(schema) || depth > MAX_DEPTH) return {};
  if ('const' in schema) return schema.const;
  if (Array.isArray(schema.enum) && schema.enum.length > 0) return schema.enum[0];
  for (const key of ['anyOf', 'oneOf', 'allOf'] as const) {
    const options = schema[key];
    if (Array.isArray(options) && options.length > 0) return exampleValue(options[0], depth + 1);
  }
  switch (schemaType(schema)) {
    case 'string':
      return 'example';
    case 'number':
    case 'integer':
      return 1;
    case 'boolean':
      return true;
    case 'null':
      return null;
    case 'array': {
      const minItems = typeof schema.minItems === 'number' ? schema.minItems : 0;
      return Array.from({ length: Math.min(minItems, 3) }, () => exampleValue(schema.items, depth + 1));
    }
    case 'object':
      return exampleObject(schema, depth);
    case undefined:
      return isRecord(schema.properties) ? exampleObject(schema, depth) : 'example';
  }
}

function exampleObject(schema: Record<string, unknown>, depth: number): Record<string, unknown> {
  const properties = isRecord(schema.properties) ? schema.properties : {};
  const required = Array.isArray(schema.required) ? schema.required.filter((name) => typeof name === 'string') : [];
  const value: Record<string, unknown> = {};
  for (const name of required) value[name] = exampleValue(properties[name], depth + 1);
  return value;
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
