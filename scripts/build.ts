// `npm run build`: each Lambda function bundled by esbuild into dist/<name>/index.mjs.
import { mkdir, writeFile } from 'node:fs/promises';
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

const root = path.resolve(import.meta.dirname, '..');
const functions = ['gateway', 'health-probe', 'reclaim'];

for (const name of functions) {
  const outdir = path.join(root, 'dist', name);
  await mkdir(outdir, { recursive: true });
  const result = await build({
    entryPoints: [path.join(root, 'functions', name, 'index.ts')],
    outfile: path.join(outdir, 'index.mjs'),
    bundle: true,
    platform: 'node',
    target: 'node24',
    format: 'esm',
    minify: true,
    sourcemap: false,
    legalComments: 'none',
    metafile: true,
    // Some dependencies are CommonJS and call require(): give them one.
    banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
    logLevel: 'warning',
    plugins: [englishOnlyZod],
  });
  await writeFile(path.join(root, 'dist', `${name}.meta.json`), JSON.stringify(result.metafile));
  const bytes = Object.values(result.metafile.outputs).reduce((sum, output) => sum + output.bytes, 0);
  console.log(`dist/${name}/index.mjs  ${(bytes / 1024).toFixed(0)} KiB`);
}
