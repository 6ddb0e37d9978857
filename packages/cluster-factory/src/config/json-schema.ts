import { z } from 'zod';
import { environmentSchema } from './schema.js';

/**
 * The JSON Schema editors use for environments/*.yaml (yaml-language-server), generated
 * from the zod schema so the two cannot drift. It describes the file as written (defaults
 * optional); cross-field rules (zones in the region, sizes) are enforced only at synth.
 */
export function environmentJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(environmentSchema, { io: 'input', unrepresentable: 'any', target: 'draft-2020-12' }) as Record<string, unknown>;
  return {
    ...schema,
    $id: 'environment.schema.json',
    title: 'Cilium EKS platform environment',
    description: 'Per-environment config of the cluster factory. Unknown keys are errors.',
  };
}

/** Stable text for the committed file. */
export function renderEnvironmentJsonSchema(): string {
  return `${JSON.stringify(environmentJsonSchema(), null, 2)}\n`;
}
