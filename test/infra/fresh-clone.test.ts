// What a new user types after `npm ci`: `npx cdk synth`, on a tree that has
// never been built (no dist/). The repository's files are copied into a
// fresh folder (node_modules linked, as `npm ci` would install it) and the
// real CDK CLI runs cdk.json's app there: it must bundle the functions
// itself, pass cdk-nag, and give the same asset hashes when run again.
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const repoRoot = path.resolve(import.meta.dirname, '../..');

interface Synthesis {
  status: number;
  output: string;
  assets: string[];
  template: { Resources: Record<string, { Type: string; Properties: Record<string, unknown> }> };
}

let clone: string;

function synthesize(outdir: string): Synthesis {
  let status = 0;
  let output: string;
  try {
    output = execFileSync(path.join(clone, 'node_modules', '.bin', 'cdk'), ['synth', '--no-notices', '--quiet', '--output', outdir], {
      cwd: clone,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        PATH: `${path.join(clone, 'node_modules', '.bin')}${path.delimiter}${process.env.PATH ?? ''}`,
        HOME: clone,
        // No account, no credentials, nothing to phone home to: synth is offline.
        CDK_DISABLE_CLI_TELEMETRY: 'true',
        AWS_EC2_METADATA_DISABLED: 'true',
        AWS_CONFIG_FILE: path.join(clone, '.aws-config-none'),
        AWS_SHARED_CREDENTIALS_FILE: path.join(clone, '.aws-credentials-none'),
      },
      timeout: 120_000,
    });
  } catch (error) {
    const failed = error as { status?: number; stdout?: string; stderr?: string };
    status = failed.status ?? 1;
    output = `${failed.stdout ?? ''}${failed.stderr ?? ''}`;
  }
  const assets = existsSync(outdir) ? readdirSync(outdir).filter((name) => name.startsWith('asset.')).sort() : [];
  const templatePath = path.join(outdir, 'Switchyard.template.json');
  const template = existsSync(templatePath) ? (JSON.parse(readFileSync(templatePath, 'utf8')) as Synthesis['template']) : { Resources: {} };
  return { status, output, assets, template };
}

beforeAll(() => {
  clone = mkdtempSync(path.join(os.tmpdir(), 'switchyard-fresh-clone-'));
  // Tracked files and new, not-ignored ones: what a clone of this tree would hold (no dist/, no cdk.out/).
  const files = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard', '-z'], { cwd: repoRoot, encoding: 'utf8' })
    .split('\0')
    .filter((file) => file !== '' && existsSync(path.join(repoRoot, file)));
  for (const file of files) {
    mkdirSync(path.dirname(path.join(clone, file)), { recursive: true });
    cpSync(path.join(repoRoot, file), path.join(clone, file));
  }
  symlinkSync(path.join(repoRoot, 'node_modules'), path.join(clone, 'node_modules'), 'dir');
});

afterAll(() => {
  rmSync(clone, { recursive: true, force: true });
});

describe('npx cdk synth on a fresh clone', () => {
  it('bundles the three functions itself and synthesizes, twice with the same asset hashes', () => {
    expect(existsSync(path.join(clone, 'dist'))).toBe(false);

    const first = synthesize(path.join(clone, 'cdk.out'));

    expect(first.status, first.output).toBe(0);
    for (const name of ['gateway', 'health-probe', 'reclaim']) expect(existsSync(path.join(clone, 'dist', name, 'index.mjs'))).toBe(true);
    expect(first.assets).toHaveLength(3);
    const functionCode = Object.values(first.template.Resources)
      .filter((resource) => resource.Type === 'AWS::Lambda::Function')
      .map((resource) => String((resource.Properties.Code as { S3Key: unknown }).S3Key));
    // Each function deploys one of the bundles just built (the asset hash names its zip).
    expect(functionCode.map((key) => `asset.${key.replace(/\.zip$/, '')}`).sort()).toEqual(first.assets);

    const second = synthesize(path.join(clone, 'cdk.out.again'));

    expect(second.status, second.output).toBe(0);
    expect(second.assets).toEqual(first.assets);
    // Two bundlings and two syntheses: seconds alone, longer on a machine that is busy with other suites.
  }, 240_000);
});
