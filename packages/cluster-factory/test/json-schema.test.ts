import { describe, expect, test } from 'vitest';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { renderEnvironmentJsonSchema, renderMultiRegionJsonSchema, environmentJsonSchema } from '../src/config/json-schema.js';

const COMMITTED = fileURLToPath(new URL('../../../environments/environment.schema.json', import.meta.url));

describe('published JSON Schema', () => {
  test('the committed environments/environment.schema.json matches the zod schema (run `npm run schema` to update)', () => {
    expect(readFileSync(COMMITTED, 'utf8')).toBe(renderEnvironmentJsonSchema());
  });

  test('the committed environments/multi-region.schema.json matches too', () => {
    expect(readFileSync(COMMITTED.replace('environment.schema.json', 'multi-region.schema.json'), 'utf8')).toBe(renderMultiRegionJsonSchema());
  });

  test('it rejects unknown keys and lists the allowed values', () => {
    const schema = environmentJsonSchema() as { additionalProperties: boolean; properties: Record<string, { enum?: string[] }>; required: string[] };
    expect(schema.additionalProperties).toBe(false);
    expect(schema.properties.cilium_mode!.enum).toEqual(['eni', 'overlay']);
    expect(schema.required).toEqual(expect.arrayContaining(['name', 'aws_account_id', 'region', 'availability_zones', 'vpc_cidr', 'node_groups', 'state']));
    expect(schema.required).not.toContain('enable_cilium');
  });
});
