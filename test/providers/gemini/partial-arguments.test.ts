import { describe, expect, it } from 'vitest';
import { applyPartialArgument, parseJsonPath } from '../../../lib/providers/gemini/partial-arguments.ts';

describe('parseJsonPath', () => {
  it.each([
    ['$.location', ['location']],
    ['$.recipe.ingredients[0].amount', ['recipe', 'ingredients', 0, 'amount']],
    [`$['first name']["last.name"]`, ['first name', 'last.name']],
    ['$', []],
  ])('reads %s', (path, expected) => {
    expect(parseJsonPath(path)).toEqual(expected);
  });

  it.each(['location', '$..x', '$[abc]', '$.a['])('refuses %s', (path) => {
    expect(parseJsonPath(path)).toBeUndefined();
  });
});

describe('applyPartialArgument', () => {
  it('concatenates string pieces and sets other values at their paths', () => {
    const args: Record<string, unknown> = {};
    applyPartialArgument(args, { jsonPath: '$.recipe.ingredients[0].name', stringValue: 'Lasagna ', willContinue: true });
    applyPartialArgument(args, { jsonPath: '$.recipe.ingredients[0].name', stringValue: 'noodles' });
    applyPartialArgument(args, { jsonPath: '$.recipe.ingredients[0].amount', numberValue: 16 });
    applyPartialArgument(args, { jsonPath: '$.recipe.vegetarian', boolValue: false });
    applyPartialArgument(args, { jsonPath: '$.recipe.notes', nullValue: null });
    expect(args).toEqual({ recipe: { ingredients: [{ name: 'Lasagna noodles', amount: 16 }], vegetarian: false, notes: null } });
  });

  it('skips fragments without a readable path or value', () => {
    const args: Record<string, unknown> = { kept: 1 };
    applyPartialArgument(args, { jsonPath: 'nope', stringValue: 'x' });
    applyPartialArgument(args, { jsonPath: '$.a' });
    applyPartialArgument(args, { stringValue: 'x' });
    expect(args).toEqual({ kept: 1 });
  });

  it('never reaches a prototype through __proto__', () => {
    const args: Record<string, unknown> = {};
    applyPartialArgument(args, { jsonPath: '$.__proto__.polluted', stringValue: 'yes' });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(JSON.stringify(args)).toBe('{"__proto__":{"polluted":"yes"}}');
  });
});
