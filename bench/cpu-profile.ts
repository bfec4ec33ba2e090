// Summarises a V8 CPU profile (`node --cpu-prof`): self time per function and
// per area of the code (a lib/ folder, a package, Node's internals), over a
// window of the run, so the figures describe the load and not the start-up.
import { existsSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';

const profileSchema = z
  .object({
    nodes: z.array(
      z
        .object({
          id: z.number(),
          callFrame: z.object({ functionName: z.string(), url: z.string(), lineNumber: z.number() }).loose(),
        })
        .loose(),
    ),
    startTime: z.number(),
    samples: z.array(z.number()),
    timeDeltas: z.array(z.number()),
  })
  .loose();

export interface ProfileLine {
  name: string;
  /** Share of the busy (non-idle) samples in the window, percent. */
  selfPercent: number;
  selfMs: number;
}

export interface ProfileSummary {
  label: string;
  windowMs: number;
  /** CPU busy time seen in the window (samples that were not idle). */
  busyMs: number;
  requests: number;
  topFunctions: ProfileLine[];
  topAreas: ProfileLine[];
}

export interface ProfileWindow {
  label: string;
  /** Monotonic microseconds (the child's `process.hrtime`), the clock V8 stamps samples with. */
  fromMicros: number;
  toMicros: number;
  requests: number;
}

/** The area every package of local mode's DynamoDB stand-in falls in: it does not run on Lambda. */
export const STAND_IN_AREA = 'dynalite and its packages (local stand-in for DynamoDB)';

export async function summariseProfile(file: string, windows: readonly ProfileWindow[], repositoryRoot: string): Promise<ProfileSummary[]> {
  const standIns = dependencyClosure('dynalite', repositoryRoot);
  const profile = profileSchema.parse(JSON.parse(await readFile(file, 'utf8')));
  const frames = new Map(profile.nodes.map((node) => [node.id, node.callFrame]));
  // Sample i is taken at startTime + Σ timeDeltas[0..i]; it stands for the time until the next sample.
  const stamps: number[] = [];
  let clock = profile.startTime;
  for (const delta of profile.timeDeltas) {
    clock += delta;
    stamps.push(clock);
  }
  return windows.map((window) => {
    const byFunction = new Map<string, number>();
    const byArea = new Map<string, number>();
    let busy = 0;
    for (let index = 0; index < profile.samples.length; index++) {
      const at = stamps[index] as number;
      if (at < window.fromMicros || at > window.toMicros) continue;
      const next = stamps[index + 1] ?? at;
      const duration = Math.max(0, next - at);
      const frame = frames.get(profile.samples[index] as number);
      if (frame === undefined || frame.functionName === '(idle)') continue;
      busy += duration;
      const location = relativeLocation(frame.url, repositoryRoot);
      const line = lineOf(frame.functionName, location, frame.lineNumber, repositoryRoot);
      const name = location === '' ? frame.functionName : `${frame.functionName || '(anonymous)'}  ${location}${line === undefined ? '' : `:${line}`}`;
      byFunction.set(name, (byFunction.get(name) ?? 0) + duration);
      const area = areaOf(frame.functionName, location, standIns);
      byArea.set(area, (byArea.get(area) ?? 0) + duration);
    }
    const lines = (totals: Map<string, number>, limit: number): ProfileLine[] =>
      [...totals.entries()]
        .sort((a, b) => b[1] - a[1])
        .slice(0, limit)
        .map(([name, micros]) => ({ name, selfMs: micros / 1000, selfPercent: busy === 0 ? 0 : (100 * micros) / busy }));
    return {
      label: window.label,
      windowMs: (window.toMicros - window.fromMicros) / 1000,
      busyMs: busy / 1000,
      requests: window.requests,
      topFunctions: lines(byFunction, 25),
      topAreas: lines(byArea, 15),
    };
  });
}

/** `file:///…/repo/lib/x.ts` → `lib/x.ts`; node_modules paths from `node_modules/`; Node's own modules as they are. */
function relativeLocation(url: string, repositoryRoot: string): string {
  if (url === '') return '';
  const root = `file://${repositoryRoot}/`;
  if (url.startsWith(root)) return url.slice(root.length);
  const modules = url.lastIndexOf('/node_modules/');
  if (modules >= 0) return url.slice(modules + 1);
  return url;
}

/** A lib/ or cli/ folder, a package, a group of Node's internals, or V8's own buckets. */
function areaOf(functionName: string, location: string, standIns: ReadonlySet<string>): string {
  if (location === '') return functionName === '' ? '(native)' : functionName;
  const packageMatch = /^node_modules\/(?:.*\/node_modules\/)?((?:@[^/]+\/)?[^/]+)/.exec(location);
  if (packageMatch !== null) return standIns.has(packageMatch[1] as string) ? STAND_IN_AREA : `package ${packageMatch[1] as string}`;
  const sourceMatch = /^(lib\/[^/]+|cli|bench|functions\/[^/]+)\//.exec(location);
  if (sourceMatch !== null) return sourceMatch[1] as string;
  const internal = /^node:(?:internal\/)?(deps\/[^/]+|[^/]+)/.exec(location);
  if (internal !== null) return `node:${internal[1] as string}`;
  return location;
}

/** A package and everything it depends on, as installed (npm's flattened tree, nested copies first). */
function dependencyClosure(name: string, repositoryRoot: string): Set<string> {
  const seen = new Set<string>();
  const visit = (dependency: string, from: string): void => {
    if (seen.has(dependency)) return;
    const folder = [path.join(from, 'node_modules', dependency), path.join(repositoryRoot, 'node_modules', dependency)].find((candidate) =>
      existsSync(path.join(candidate, 'package.json')),
    );
    if (folder === undefined) return;
    seen.add(dependency);
    const manifest: unknown = JSON.parse(readFileSync(path.join(folder, 'package.json'), 'utf8'));
    const dependencies = typeof manifest === 'object' && manifest !== null ? (manifest as { dependencies?: Record<string, string> }).dependencies : undefined;
    for (const next of Object.keys(dependencies ?? {})) visit(next, folder);
  };
  visit(name, repositoryRoot);
  return seen;
}

const sourceLines = new Map<string, string[]>();

/**
 * The 1-based line of a function. Our own TypeScript runs through tsx, whose
 * output puts every frame on line 1, so the declaration is looked up by name
 * in the source; undefined when it cannot be found.
 */
function lineOf(functionName: string, location: string, lineNumber: number, repositoryRoot: string): number | undefined {
  const ownSource = location.endsWith('.ts') && !location.startsWith('node_modules/') && !location.startsWith('node:');
  if (!ownSource || lineNumber > 0) return lineNumber + 1;
  if (functionName === '') return undefined;
  let lines = sourceLines.get(location);
  if (lines === undefined) {
    try {
      lines = readFileSync(path.join(repositoryRoot, location), 'utf8').split('\n');
    } catch {
      lines = [];
    }
    sourceLines.set(location, lines);
  }
  const name = functionName.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const declarations = [
    new RegExp(`(function\\*?\\s+${name}\\b|\\b(const|let|var)\\s+${name}\\b|^\\s*(async\\s+)?\\*?${name}\\s*[(<])`),
    new RegExp(`\\b${name}\\s*[:=]`),
  ];
  let index = -1;
  for (const declaration of declarations) {
    index = lines.findIndex((text) => declaration.test(text));
    if (index >= 0) break;
  }
  return index < 0 ? undefined : index + 1;
}
