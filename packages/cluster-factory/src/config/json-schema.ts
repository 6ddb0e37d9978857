import { z } from 'zod';
import { environmentSchema } from './schema.js';
import { multiRegionSchema } from './multi-region-schema.js';

/**
 * The JSON Schema editors use for environments/*.yaml (yaml-language-server), generated
 * from the zod schema so the two cannot drift. It describes the file as written (defaults
 * optional); cross-field rules (zones in the region, sizes) are enforced only at synth.
 */
export function environmentJsonSchema(): Record<string, unknown> {
  return jsonSchema(environmentSchema, 'environment.schema.json', 'Cilium EKS platform environment');
}

/** The JSON Schema of environments/multi-region.yaml. */
export function multiRegionJsonSchema(): Record<string, unknown> {
  return jsonSchema(multiRegionSchema, 'multi-region.schema.json', 'Cilium EKS multi-region environment (Cluster Mesh)');
}

function jsonSchema(schema: z.core.$ZodType, id: string, title: string): Record<string, unknown> {
  const generated = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any', target: 'draft-2020-12' }) as Record<string, unknown>;
  return { ...generated, $id: id, title, description: 'Per-environment config of the cluster factory. Unknown keys are errors.' };
}

/** Stable text for the committed files. */
export function renderEnvironmentJsonSchema(): string {
  return `${JSON.stringify(environmentJsonSchema(), null, 2)}\n`;
}

export function renderMultiRegionJsonSchema(): string {
  return `${JSON.stringify(multiRegionJsonSchema(), null, 2)}\n`;
}
