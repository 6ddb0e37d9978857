/** Writes environments/environment.schema.json from the zod schema. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderEnvironmentJsonSchema } from '@cilium-eks/cluster-factory';

const target = join(import.meta.dirname, '../environments/environment.schema.json');
writeFileSync(target, renderEnvironmentJsonSchema());
process.stdout.write(`wrote ${target}\n`);
