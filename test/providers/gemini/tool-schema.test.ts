import { describe, expect, it } from 'vitest';
import { toGeminiParameters } from '../../../lib/providers/gemini/tool-schema.ts';

describe('toGeminiParameters', () => {
  it('drops keys Gemini rejects and keeps the ones it knows', () => {
    expect(
      toGeminiParameters({
        $schema: 'https://json-schema.org/draft/2020-12/schema',
        type: 'object',
        title: 'Search',
        properties: {
          query: { type: 'string', minLength: 1, format: 'uri', examples: ['x'] },
          when: { type: 'string', format: 'date-time' },
          limit: { type: 'integer', minimum: 1, maximum: 50, default: 10 },
          tags: { type: 'array', items: { type: 'string' }, maxItems: 5, uniqueItems: true },
        },
        required: ['query', 'not_a_property'],
        additionalProperties: false,
        patternProperties: { '^x-': {} },
      }),
    ).toEqual({
      type: 'object',
      title: 'Search',
      properties: {
        query: { type: 'string', minLength: 1 },
        when: { type: 'string', format: 'date-time' },
        limit: { type: 'integer', minimum: 1, maximum: 50, default: 10 },
        tags: { type: 'array', items: { type: 'string' }, maxItems: 5 },
      },
      required: ['query'],
    });
  });

  it('says nullable the OpenAPI way', () => {
    expect(
      toGeminiParameters({
        type: 'object',
        properties: {
          a: { type: ['integer', 'null'] },
          b: { anyOf: [{ type: 'string' }, { type: 'null' }], description: 'b or nothing' },
          c: { oneOf: [{ type: 'string' }, { type: 'number' }] },
          d: { type: ['string', 'number'] },
          e: { const: 'fixed' },
        },
      }),
    ).toEqual({
      type: 'object',
      properties: {
        a: { type: 'integer', nullable: true },
        b: { type: 'string', nullable: true, description: 'b or nothing' },
        c: { anyOf: [{ type: 'string' }, { type: 'number' }] },
        d: { anyOf: [{ type: 'string' }, { type: 'number' }] },
        e: { enum: ['fixed'] },
      },
    });
  });

  it('inlines local $refs and merges allOf', () => {
    expect(
      toGeminiParameters({
        type: 'object',
        $defs: { address: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } },
        properties: {
          home: { $ref: '#/$defs/address', description: 'Where they live' },
          work: { allOf: [{ $ref: '#/$defs/address' }] },
          person: {
            allOf: [
              { type: 'object', properties: { name: { type: 'string' } }, required: ['name'] },
              { properties: { age: { type: 'integer' } } },
            ],
          },
        },
      }),
    ).toEqual({
      type: 'object',
      properties: {
        home: { type: 'object', description: 'Where they live', properties: { city: { type: 'string' } }, required: ['city'] },
        work: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
        person: { type: 'object', properties: { name: { type: 'string' }, age: { type: 'integer' } }, required: ['name'] },
      },
    });
  });

  it('stops a recursive $ref at a bounded depth', () => {
    const converted = toGeminiParameters({
      type: 'object',
      definitions: { node: { type: 'object', properties: { child: { $ref: '#/definitions/node' }, label: { type: 'string' } } } },
      properties: { root: { $ref: '#/definitions/node' } },
    });
    let depth = 0;
    let node = (converted?.properties as Record<string, Record<string, unknown>>).root;
    while (node?.properties !== undefined) {
      node = (node.properties as Record<string, Record<string, unknown>>).child;
      depth++;
    }
    expect(depth).toBeGreaterThan(1);
    expect(depth).toBeLessThanOrEqual(8);
    expect(node).toEqual({ type: 'object' });
  });

  it('leaves out parameters for a tool that takes none', () => {
    expect(toGeminiParameters(undefined)).toBeUndefined();
    expect(toGeminiParameters({ type: 'object', properties: {} })).toBeUndefined();
    expect(toGeminiParameters({ type: 'object', additionalProperties: false })).toBeUndefined();
  });
});
