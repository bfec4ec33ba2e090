// Each Lambda function bundled by esbuild into dist/<name>/: index.mjs, plus
// the chunks it loads only when first needed (what the function's code
// imports with `import()`). The whole folder is the deployed package.
//
// `npm run build` runs this file; the CDK app (infra/app.ts) calls
// `buildFunctions` itself before it synthesizes, so `cdk synth`, `cdk diff`
// and `cdk deploy` work on a fresh clone with no other step. The output is
// deterministic (no timestamps, no absolute paths, content-hashed chunk
// names), so an unchanged tree gives unchanged asset hashes.
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { build, type Plugin } from 'esbuild';

/**
 * zod bundles the error messages of 40-odd languages (a quarter of a
 * megabyte); the gateway speaks English. Its locale index is replaced by one
 * that exports English only.
 */
const englishOnlyZod: Plugin = {
  name: 'english-only-zod',
  setup(builder) {
    builder.onLoad({ filter: /[\\/]zod[\\/]v4[\\/]locales[\\/]index\.js$/ }, (args) => ({
      contents: "export { default as en } from './en.js';",
      resolveDir: path.dirname(args.path),
      loader: 'js',
    }));
  },
};

/**
 * `import … from 'node:http'` in an ES module builds the module's ES facade,
 * which reads every export once, and node:http's WebSocket, CloseEvent and
 * MessageEvent exports are getters that load Node's whole fetch
 * implementation (undici): some 30 ms of a cold start, for classes the
 * gateway never uses. (The AWS SDK's request handler and the upstream client
 * import node:http and node:https.) These imports are served from the
 * CommonJS module instead, which has no facade, through the named exports
 * below only; an import of any other name fails the build.
 */
const builtinExports: Record<string, readonly string[]> = {
  http: ['Agent', 'ClientRequest', 'IncomingMessage', 'METHODS', 'OutgoingMessage', 'STATUS_CODES', 'Server', 'ServerResponse', 'createServer', 'get', 'globalAgent', 'maxHeaderSize', 'request', 'validateHeaderName', 'validateHeaderValue'],
  https: ['Agent', 'Server', 'createServer', 'get', 'globalAgent', 'request'],
};
const builtinsWithoutFacade: Plugin = {
  name: 'builtins-without-facade',
  setup(builder) {
    builder.onResolve({ filter: /^(node:)?https?$/ }, (args) => ({ path: args.path.replace(/^node:/, ''), namespace: 'builtin-without-facade' }));
    builder.onLoad({ filter: /.*/, namespace: 'builtin-without-facade' }, (args) => {
      const names = builtinExports[args.path] ?? [];
      return {
        contents: [
          "import { createRequire } from 'node:module';",
          `const builtin = createRequire(import.meta.url)('node:${args.path}');`,
          'export default builtin;',
          ...names.map((name) => `export const ${name} = builtin.${name};`),
        ].join('\n'),
        loader: 'js',
      };
    });
  },
};

/**
 * @aws-sdk/core's client entry re-exports its browser user-agent code, whose
 * `import('bowser')` esbuild cannot drop: a 34 KB chunk that no Node process
 * ever loads, yet part of the deployed package and its size. It is replaced by
 * a module that fails if anything ever evaluates it.
 */
const noBrowserUserAgentParser: Plugin = {
  name: 'no-browser-user-agent-parser',
  setup(builder) {
    builder.onResolve({ filter: /^bowser$/ }, () => ({ path: 'bowser', namespace: 'browser-only' }));
    builder.onLoad({ filter: /.*/, namespace: 'browser-only' }, () => ({
      contents: "throw new Error('bowser parses browser user agents; the Lambda functions run on Node');",
      loader: 'js',
    }));
  },
};

const repositoryRoot = path.resolve(import.meta.dirname, '..');

/** The default catalog: data, not code, shipped beside the bundle (see catalogBesideBundle). */
export const CATALOG_FILE_NAME = 'default-catalog.json';
const catalogSource = path.join(repositoryRoot, 'lib', 'catalog', CATALOG_FILE_NAME);

/**
 * The default catalog (hundreds of models) is not bundled as a JavaScript
 * object literal, which V8 would parse and compile as code at every cold
 * start: it stays a JSON module beside index.mjs, which Node reads with its
 * JSON parser (several times faster than parsing the same literal as
 * JavaScript) when the function starts. The file is written minified.
 */
const catalogBesideBundle: Plugin = {
  name: 'catalog-beside-bundle',
  setup(builder) {
    builder.onResolve({ filter: /[\\/]default-catalog\.json$/ }, (args) => {
      if (path.resolve(args.resolveDir, args.path) !== catalogSource) return undefined;
      return { path: `./${CATALOG_FILE_NAME}`, external: true };
    });
    builder.onEnd(async (result) => {
      const outdir = builder.initialOptions.outdir;
      const imported = Object.values(result.metafile?.outputs ?? {}).some((output) => output.imports.some((entry) => entry.path === `./${CATALOG_FILE_NAME}`));
      if (result.errors.length > 0 || outdir === undefined || !imported) return;
      const catalog: unknown = JSON.parse(await readFile(catalogSource, 'utf8'));
      await writeFile(path.join(outdir, CATALOG_FILE_NAME), JSON.stringify(catalog));
    });
  },
};

/** The Lambda functions: each is `functions/<name>/index.ts`, bundled to `<outRoot>/<name>/`. */
export const FUNCTION_NAMES = ['gateway', 'health-probe', 'reclaim'] as const;
export type FunctionName = (typeof FUNCTION_NAMES)[number];

export interface BuildOptions {
  /** Where the bundle folders go. Default: the repository's dist/. */
  outRoot?: string;
  /** One line per bundle (its folder, size and file count). Default: none. */
  log?: (line: string) => void;
}

/** Bundles every function; returns each bundle's folder (what `lambda.Code.fromAsset` takes). */
export async function buildFunctions(options: BuildOptions = {}): Promise<Record<FunctionName, string>> {
  const outRoot = options.outRoot ?? path.join(repositoryRoot, 'dist');
  const folders = {} as Record<FunctionName, string>;
  for (const name of FUNCTION_NAMES) {
    const outdir = path.join(outRoot, name);
    // Chunk names carry content hashes: a stale one left behind would be deployed too.
    await rm(outdir, { recursive: true, force: true });
    await mkdir(outdir, { recursive: true });
    const result = await build({
      entryPoints: { index: path.join(repositoryRoot, 'functions', name, 'index.ts') },
      outdir,
      outExtension: { '.js': '.mjs' },
      chunkNames: 'chunks/[name]-[hash]',
      // Code behind a dynamic import() becomes a chunk that is read and compiled
      // only when first used: the cold start parses what the first request needs.
      splitting: true,
      bundle: true,
      platform: 'node',
      // The AWS SDK's ES modules (`module`), not its CommonJS builds (`main`,
      // esbuild's default first choice for node): ES modules can be tree-shaken,
      // so only the commands used are bundled (a quarter less code to parse at
      // start), and their credential providers stay behind dynamic imports.
      mainFields: ['module', 'main'],
      target: 'node24',
      format: 'esm',
      // Smaller and faster to parse. Names are not kept (keepNames costs a call
      // per function at start-up); the gateway logs no stack traces anyway.
      minify: true,
      sourcemap: false,
      legalComments: 'none',
      metafile: true,
      // Some dependencies are CommonJS and call require(): give them one.
      banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
      logLevel: 'warning',
      plugins: [englishOnlyZod, builtinsWithoutFacade, noBrowserUserAgentParser, catalogBesideBundle],
    });
    // Beside the bundle folder, not in it: the metafile names absolute paths, which would change the asset hash.
    await writeFile(path.join(outRoot, `${name}.meta.json`), JSON.stringify(result.metafile));
    const outputs = Object.values(result.metafile.outputs);
    const bytes = outputs.reduce((sum, output) => sum + output.bytes, 0);
    options.log?.(`${path.relative(repositoryRoot, outdir) || outdir}/  ${(bytes / 1024).toFixed(0)} KiB in ${outputs.length} files`);
    folders[name] = outdir;
  }
  return folders;
}

if (import.meta.main) await buildFunctions({ log: (line) => console.log(line) });
