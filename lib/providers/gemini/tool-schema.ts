// JSON Schema (as OpenAI tools carry it) → the OpenAPI 3.0 subset that
// Gemini function declarations accept. Gemini rejects the whole request on a
// key it does not know (`additionalProperties`, `$schema`, `$ref`, …), so this
// keeps an allowlist, resolves local `$ref`s, and turns JSON Schema's ways of
// saying "nullable" (type arrays, `anyOf` with `{type:"null"}`) into `nullable`.
// https://ai.google.dev/api/caching#Schema
import type { GeminiSchema } from './request-types.ts';

// `type` and `format` are handled apart: both need translating or filtering.
const keptKeys = new Set([
  'title',
  'description',
  'nullable',
  'enum',
  'minItems',
  'maxItems',
  'minProperties',
  'maxProperties',
  'minLength',
  'maxLength',
  'pattern',
  'minimum',
  'maximum',
  'example',
  'default',
  'propertyOrdering',
]);

/** The only `format`s the Gemini API accepts; others fail the request. */
const keptFormats = new Set(['enum', 'date-time', 'int32', 'int64', 'float', 'double']);

/** How deep `$ref`s are inlined; recursive schemas stop as a plain object there. */
const maxRefDepth = 8;

type JsonObject = Record<string, unknown>;

const isObject = (value: unknown): value is JsonObject => typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Function parameters for Gemini, or undefined when the tool takes none
 * (Gemini refuses an OBJECT schema with no properties).
 */
export function toGeminiParameters(schema: Record<string, unknown> | undefined): GeminiSchema | undefined {
  if (schema === undefined) return undefined;
  const converted = convert(schema, schema, 0);
  if (converted.type === 'object' && converted.properties === undefined) return undefined;
  return converted;
}

function convert(node: unknown, root: JsonObject, depth: number): GeminiSchema {
  if (!isObject(node)) return {};
  const resolved = resolveRef(node, root, depth);
  if (resolved !== node) return depth >= maxRefDepth ? { type: 'object' } : convert(resolved, root, depth + 1);
  const schema = mergeAllOf(node, root, depth);
  const out: GeminiSchema = {};
  for (const [key, value] of Object.entries(schema)) {
    if (keptKeys.has(key)) out[key] = value;
  }
  if (typeof schema.format === 'string' && keptFormats.has(schema.format)) out.format = schema.format;
  if (schema.const !== undefined && out.enum === undefined && typeof schema.const === 'string') out.enum = [schema.const];
  applyType(schema.type, out);
  if (isObject(schema.properties)) {
    const properties: Record<string, GeminiSchema> = {};
    for (const [name, value] of Object.entries(schema.properties)) properties[name] = convert(value, root, depth);
    if (Object.keys(properties).length > 0) {
      out.properties = properties;
      if (Array.isArray(schema.required)) out.required = schema.required.filter((name) => typeof name === 'string' && name in properties);
    }
  }
  if (isObject(schema.items)) out.items = convert(schema.items, root, depth);
  else if (Array.isArray(schema.items) && schema.items.length > 0) out.items = convert(schema.items[0], root, depth);
  const alternatives = Array.isArray(schema.anyOf) ? schema.anyOf : Array.isArray(schema.oneOf) ? schema.oneOf : undefined;
  if (alternatives !== undefined) applyAlternatives(alternatives, root, depth, out);
  return out;
}

function resolveRef(node: JsonObject, root: JsonObject, depth: number): unknown {
  const ref = node.$ref;
  if (typeof ref !== 'string') return node;
  const match = /^#\/(\$defs|definitions)\/(.+)$/.exec(ref);
  if (match === null || depth >= maxRefDepth) return { type: 'object' };
  const definitions = root[match[1] as string];
  const name = decodeURIComponent((match[2] as string).replaceAll('~1', '/').replaceAll('~0', '~'));
  const target = isObject(definitions) ? definitions[name] : undefined;
  // Sibling keys next to `$ref` (a description, say) refine the target.
  const { $ref: _ref, ...siblings } = node;
  return isObject(target) ? { ...target, ...siblings } : { type: 'object' };
}

/** `allOf` of object schemas merged into one, as Gemini has no `allOf`. */
function mergeAllOf(node: JsonObject, root: JsonObject, depth: number): JsonObject {
  if (!Array.isArray(node.allOf)) return node;
  const { allOf, ...rest } = node;
  const merged: JsonObject = { ...rest };
  const properties: JsonObject = isObject(rest.properties) ? { ...rest.properties } : {};
  const required: unknown[] = Array.isArray(rest.required) ? [...rest.required] : [];
  for (const entry of allOf as unknown[]) {
    const member = isObject(entry) ? resolveRef(entry, root, depth) : undefined;
    if (!isObject(member)) continue;
    for (const [key, value] of Object.entries(member)) {
      if (key === 'properties' && isObject(value)) Object.assign(properties, value);
      else if (key === 'required' && Array.isArray(value)) required.push(...value);
      else if (!(key in merged)) merged[key] = value;
    }
  }
  if (Object.keys(properties).length > 0) merged.properties = properties;
  if (required.length > 0) merged.required = [...new Set(required)];
  return merged;
}

function applyType(type: unknown, out: GeminiSchema): void {
  if (typeof type === 'string') {
    if (type === 'null') out.nullable = true;
    else out.type = type;
    return;
  }
  if (!Array.isArray(type)) return;
  const types = type.filter((entry): entry is string => typeof entry === 'string' && entry !== 'null');
  if (types.length !== type.length) out.nullable = true;
  if (types.length === 1) out.type = types[0];
  else if (types.length > 1) out.anyOf = types.map((entry) => ({ type: entry }));
}

function applyAlternatives(alternatives: unknown[], root: JsonObject, depth: number, out: GeminiSchema): void {
  const isNull = (entry: unknown): boolean => isObject(entry) && entry.type === 'null';
  const others = alternatives.filter((entry) => !isNull(entry));
  if (others.length !== alternatives.length) out.nullable = true;
  if (others.length === 1) {
    // The outer schema's own keys (its description, say) win over the member's.
    const own = { ...out };
    Object.assign(out, convert(others[0], root, depth), own);
  } else if (others.length > 1) {
    out.anyOf = others.map((entry) => convert(entry, root, depth));
  }
}
