// Vertex AI can stream a function call's arguments as fragments, each a value
// at a JSON path (`$.recipe.ingredients[0].name`); a string value may arrive
// in several pieces. This rebuilds the arguments object from them.
import type { PartialArgument } from './wire-schemas.ts';

type PathSegment = string | number;
type Container = Record<string, unknown> | unknown[];

/** `$.a.b[0]['c d']` → ['a', 'b', 0, 'c d']; undefined for a path we cannot read. */
export function parseJsonPath(path: string): PathSegment[] | undefined {
  if (!path.startsWith('$')) return undefined;
  const segments: PathSegment[] = [];
  const pattern = /\.([^.[\]]+)|\[(\d+)\]|\[(?:'((?:[^'\\]|\\.)*)'|"((?:[^"\\]|\\.)*)")\]/gy;
  pattern.lastIndex = 1;
  while (pattern.lastIndex < path.length) {
    const match = pattern.exec(path);
    if (match === null) return undefined;
    const [, name, index, single, double] = match;
    if (name !== undefined) segments.push(name);
    else if (index !== undefined) segments.push(Number(index));
    else segments.push((single ?? double ?? '').replace(/\\(.)/g, '$1'));
  }
  return segments;
}

function fragmentValue(fragment: PartialArgument): { value: unknown; append: boolean } | undefined {
  if (fragment.stringValue != null) return { value: fragment.stringValue, append: true };
  if (fragment.numberValue != null) return { value: fragment.numberValue, append: false };
  if (fragment.boolValue != null) return { value: fragment.boolValue, append: false };
  if ('nullValue' in fragment) return { value: null, append: false };
  return undefined;
}

/** Apply one fragment to `args` in place. Fragments we cannot place are skipped. */
export function applyPartialArgument(args: Record<string, unknown>, fragment: PartialArgument): void {
  const segments = fragment.jsonPath != null ? parseJsonPath(fragment.jsonPath) : undefined;
  const value = fragmentValue(fragment);
  if (segments === undefined || segments.length === 0 || value === undefined) return;
  let container: Container = args;
  for (let i = 0; i < segments.length - 1; i++) {
    const segment = segments[i] as PathSegment;
    const next = segments[i + 1] as PathSegment;
    const existing = read(container, segment);
    const child: Container =
      typeof existing === 'object' && existing !== null ? (existing as Container) : typeof next === 'number' ? [] : {};
    if (child !== existing) write(container, segment, child);
    container = child;
  }
  const leaf = segments[segments.length - 1] as PathSegment;
  const previous = read(container, leaf);
  write(container, leaf, value.append && typeof previous === 'string' ? previous + String(value.value) : value.value);
}

// Own properties only, defined rather than assigned: a path through `__proto__`
// must not reach (or replace) a prototype.
function read(container: Container, segment: PathSegment): unknown {
  if (Array.isArray(container)) return typeof segment === 'number' ? container[segment] : undefined;
  return Object.hasOwn(container, segment) ? container[String(segment)] : undefined;
}

function write(container: Container, segment: PathSegment, value: unknown): void {
  if (Array.isArray(container)) {
    if (typeof segment === 'number') container[segment] = value;
  } else {
    Object.defineProperty(container, String(segment), { value, enumerable: true, writable: true, configurable: true });
  }
}
