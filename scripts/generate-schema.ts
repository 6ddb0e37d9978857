/** Writes the JSON Schemas of environments/*.yaml from the zod schemas. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderEnvironmentJsonSchema, renderMultiRegionJsonSchema } from '@cilium-eks/cluster-factory';

const environments = join(import.meta.dirname, '../environments');
for (const [file, text] of [
  ['environment.schema.json', renderEnvironmentJsonSchema()],
  ['multi-region.schema.json', renderMultiRegionJsonSchema()],
] as const) {
  writeFileSync(join(environments, file), text);
  process.stdout.write(`wrote environments/${file}\n`);
}
