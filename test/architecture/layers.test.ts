// The request path's layers depend one way (STYLE point 1, issue "one
// pipeline"): no import circle anywhere in lib/, and no layer imports one
// above it. Read from the source, so a new file is checked the day it lands.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '../../lib');

function sourceFiles(folder: string): string[] {
  return readdirSync(folder, { withFileTypes: true }).flatMap((entry) => {
    const path = join(folder, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

/** Module → the lib/ modules it imports (type-only imports included: they are dependencies too). */
function importGraph(): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const file of sourceFiles(root)) {
    const text = readFileSync(file, 'utf8');
    const targets = [...text.matchAll(/(?:from|import)\s*\(?\s*'(\.[^']+\.ts)'/g)].map((match) =>
      relative(root, resolve(dirname(file), match[1] as string)),
    );
    graph.set(relative(root, file), targets);
  }
  return graph;
}

function cycles(graph: Map<string, string[]>): string[][] {
  const found: string[][] = [];
  const state = new Map<string, 'open' | 'done'>();
  const path: string[] = [];
  const visit = (module: string): void => {
    state.set(module, 'open');
    path.push(module);
    for (const next of graph.get(module) ?? []) {
      if (state.get(next) === 'open') found.push([...path.slice(path.indexOf(next)), next]);
      else if (state.get(next) === undefined) visit(next);
    }
    path.pop();
    state.set(module, 'done');
  };
  for (const module of graph.keys()) if (state.get(module) === undefined) visit(module);
  return found;
}

const layer = (module: string): string => module.split('/')[0] as string;

/** Folders a layer must never import: everything above it on the request path. */
const above: Record<string, readonly string[]> = {
  api: ['http', 'doors', 'pipeline', 'routing', 'providers', 'streaming', 'wires', 'billing', 'store', 'keys', 'health', 'usage'],
  streaming: ['http', 'doors', 'pipeline', 'routing', 'providers', 'wires'],
  // A wire spoken by a door and a provider (and the simulator) is modelled once, below both.
  wires: ['http', 'doors', 'pipeline', 'routing', 'providers', 'billing', 'store', 'keys', 'health', 'usage'],
  providers: ['http', 'doors', 'pipeline', 'routing'],
  routing: ['http', 'doors', 'pipeline'],
  billing: ['http', 'doors', 'pipeline'],
  store: ['http', 'doors', 'pipeline'],
  doors: ['http'],
  pipeline: ['http', 'doors'],
};

describe('lib/ import graph', () => {
  const graph = importGraph();

  it('has no import circle', () => {
    expect(cycles(graph)).toEqual([]);
  });

  it('has every layer depend only downward', () => {
    const upward: string[] = [];
    for (const [module, targets] of graph) {
      const forbidden = above[layer(module)] ?? [];
      for (const target of targets) if (forbidden.includes(layer(target))) upward.push(`${module} → ${target}`);
    }
    expect(upward).toEqual([]);
  });

  it('reads every module of the request path', () => {
    expect([...graph.keys()]).toEqual(expect.arrayContaining(['pipeline/run.ts', 'doors/chat/door.ts', 'http/app.ts', 'routing/attempt-loop.ts']));
  });
});
