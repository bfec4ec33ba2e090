// The README's API table is one line per route and links into docs/api.md:
// every relative link of the README and of docs/*.md must reach a file, and
// its #anchor a heading of that file (GitHub's anchors), so a moved or
// renamed section cannot leave a newcomer at a dead link.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '../..');
const documents = ['README.md', ...readdirSync(path.join(root, 'docs')).filter((name) => name.endsWith('.md')).map((name) => `docs/${name}`)];

/** GitHub's anchor of a heading: lower case, punctuation but `-` and `_` dropped, spaces to `-`. */
const anchorOf = (heading: string): string =>
  heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{Letter}\p{Number}\s_-]/gu, '')
    .replace(/\s/g, '-');

function anchors(file: string): Set<string> {
  const text = readFileSync(path.join(root, file), 'utf8').replace(/```[\s\S]*?```/g, '');
  return new Set([...text.matchAll(/^#{1,6} (.+)$/gm)].map((match) => anchorOf(match[1] ?? '')));
}

describe('links between the README and docs/', () => {
  it.each(documents)('every relative link of %s reaches a file and a heading', (document) => {
    const text = readFileSync(path.join(root, document), 'utf8').replace(/```[\s\S]*?```/g, '');
    const links = [...text.matchAll(/\]\(([^)\s]+)\)/g)].map((match) => match[1] ?? '').filter((link) => !/^[a-z]+:/.test(link));
    for (const link of links) {
      const [target = '', anchor] = link.split('#');
      const file = target === '' ? document : path.normalize(path.join(path.dirname(document), target));
      expect(existsSync(path.join(root, file)), `${document}: ${link}`).toBe(true);
      if (anchor !== undefined && file.endsWith('.md')) expect(anchors(file).has(anchor), `${document}: ${link}`).toBe(true);
    }
  });

  it('documents every route of the README table in docs/api.md', () => {
    const readme = readFileSync(path.join(root, 'README.md'), 'utf8');
    const table = readme.slice(readme.indexOf('## The API'), readme.indexOf('## The catalog'));
    const routes = [...table.matchAll(/^\| \[`(GET|POST) ([^`?]+)/gm)].map((match) => `${match[1]} ${match[2]}`);
    expect(routes.length).toBeGreaterThanOrEqual(13);
    const headings = [...readFileSync(path.join(root, 'docs/api.md'), 'utf8').matchAll(/^#{2,3} `(GET|POST) ([^`]+)`$/gm)].map((match) => `${match[1]} ${match[2]}`);
    expect(headings).toEqual(expect.arrayContaining(routes));
  });
});
