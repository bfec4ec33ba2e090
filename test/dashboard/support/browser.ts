// Headless Chromium for the dashboard's browser tests: Debian's `chromium`
// (installed by .ci/run) driven through playwright-core, with a fresh
// profile per launch and nothing that reaches the network by itself.
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';

const CANDIDATES = [process.env.SWITCHYARD_CHROMIUM, '/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'];

/** The browser to drive, or undefined where none is installed (the tests then skip, saying so). */
export const chromiumPath: string | undefined = CANDIDATES.find((candidate): candidate is string => candidate !== undefined && candidate !== '' && existsSync(candidate));

export const NO_BROWSER_MESSAGE = `no Chromium found (looked for ${CANDIDATES.filter(Boolean).join(', ')}); install Debian's chromium (.ci/run does) or set SWITCHYARD_CHROMIUM`;

const FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export interface Browser {
  context: BrowserContext;
  close(): Promise<void>;
}

export async function launchBrowser(viewport = { width: 1366, height: 900 }): Promise<Browser> {
  if (chromiumPath === undefined) throw new Error(NO_BROWSER_MESSAGE);
  // playwright-core passes this folder as --user-data-dir: a fresh profile each time.
  const profile = await mkdtemp(path.join(tmpdir(), 'switchyard-chromium-'));
  const context = await chromium.launchPersistentContext(profile, { executablePath: chromiumPath, headless: true, args: FLAGS, viewport });
  return {
    context,
    close: async () => {
      await context.close();
      await rm(profile, { recursive: true, force: true });
    },
  };
}
