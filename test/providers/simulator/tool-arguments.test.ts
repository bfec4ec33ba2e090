import { describe, expect, it } from 'vitest';
import { exampleArguments } from '../../../lib/providers/simulator/tool-arguments.ts';

describe('exampleArguments', () => {
  it('fills required properties by type and leaves optional ones out', () => {
    expect(
      exampleArguments({
        type: 'object',
        properties: {
          city: { type: 'string' },
          days: { type: 'integer' },
          ratio: { type: 'number' },
          metric: { type: 'boolean' },
          note: { type: 'string' },
        },
        required: ['city', 'days', 'ratio', 'metric'],
      }),
    ).toEqual({ city: 'example', days: 1, ratio: 1, metric: true });
  });

  it('uses enum and const values, the first anyOf branch, and the non-null type of a list', () => {
    expect(
      exampleArguments({
        type: 'object',
        properties: {
          unit: { type: 'string', enum: ['celsius', 'fahrenheit'] },
          kind: { const: 'train' },
          when: { anyOf: [{ type: 'integer' }, { type: 'string' }] },
          label: { type: ['null', 'string'] },
        },
        required: ['unit', 'kind', 'when', 'label'],
      }),
    ).toEqual({ unit: 'celsius', kind: 'train', when: 1, label: 'example' });
  });

  it('builds nested objects and arrays with their minimum items', () => {
    expect(
      exampleArguments({
        type: 'object',
        properties: {
          route: { type: 'object', properties: { from: { type: 'string' }, to: { type: 'string' } }, required: ['from'] },
          stops: { type: 'array', items: { type: 'string' }, minItems: 2 },
          tags: { type: 'array', items: { type: 'string' } },
        },
        required: ['route', 'stops', 'tags'],
      }),
    ).toEqual({ route: { from: 'example' }, stops: ['example', 'example'], tags: [] });
  });

  it('reads Gemini’s upper-case OpenAPI types', () => {
    expect(
      exampleArguments({ type: 'OBJECT', properties: { n: { type: 'NUMBER' }, ok: { type: 'BOOLEAN' } }, required: ['n', 'ok'] }),
    ).toEqual({ n: 1, ok: true });
  });

  it('gives {} for a tool without parameters or with a schema that is not an object', () => {
    expect(exampleArguments(undefined)).toEqual({});
    expect(exampleArguments({ type: 'string' })).toEqual({});
    expect(exampleArguments({ type: 'object' })).toEqual({});
  });

  it('stops at a depth limit on self-similar schemas', () => {
    const node: Record<string, unknown> = { type: 'object', required: ['child'] };
    node.properties = { child: node };
    const value = JSON.stringify(exampleArguments(node));
    expect(value.length).toBeLessThan(200);
  });

  it('keeps within the schema’s bounds: lengths, minimum and maximum, string formats', () => {
    expect(
      exampleArguments({
        type: 'object',
        properties: {
          code: { type: 'string', minLength: 10 },
          tag: { type: 'string', maxLength: 3 },
          count: { type: 'integer', minimum: 5 },
          ratio: { type: 'number', exclusiveMaximum: 1, exclusiveMinimum: 0 },
          above: { type: 'integer', exclusiveMinimum: 7 },
          when: { type: 'string', format: 'date-time' },
        },
        required: ['code', 'tag', 'count', 'ratio', 'above', 'when'],
      }),
    ).toEqual({ code: 'examplexxx', tag: 'exa', count: 5, ratio: 0.5, above: 8, when: '2026-01-01T00:00:00Z' });
  });

  it('follows $refs into $defs and definitions', () => {
    expect(
      exampleArguments({
        type: 'object',
        properties: { line: { $ref: '#/$defs/Line' }, owner: { $ref: '#/definitions/Owner' } },
        required: ['line', 'owner'],
        $defs: { Line: { type: 'object', properties: { quantity: { type: 'integer', minimum: 1 } }, required: ['quantity'] } },
        definitions: { Owner: { type: 'string', enum: ['ana', 'rui'] } },
      }),
    ).toEqual({ line: { quantity: 1 }, owner: 'ana' });
  });
});
