import { afterEach, describe, expect, test, vi } from 'vitest';
import { createRequire } from 'node:module';
import type * as ChildProcess from 'node:child_process';
import { DataResource, TerraformStack, Testing, type DataConfig } from 'cdktf';
import { TerraformData } from '../src/lib/private/terraform-data.js';

/** A stack with one terraform_data of each class, side by side, from the same config. */
function bothFrom(config: (secretId: string) => DataConfig) {
  const stack = new TerraformStack(Testing.app(), 'stack');
  const dependency = new TerraformData(stack, 'dependency', {});
  const secret = new TerraformData(stack, 'secret', {});
  const ours = new TerraformData(stack, 'ours', { ...config(secret.id), dependsOn: [dependency] });
  const cdktfs = new DataResource(stack, 'cdktfs', { ...config(secret.id), dependsOn: [dependency] });
  return { stack, ours, cdktfs };
}

const CONFIG = (secretId: string): DataConfig => ({
  input: { cluster: 'demo', nested: { list: [1, 2] } },
  triggersReplace: { version: 'v1.4.1', secret: secretId },
  lifecycle: { createBeforeDestroy: true },
  provisioners: [{ type: 'local-exec', interpreter: ['/bin/bash', '-c'], command: 'echo "$MANIFEST_URL"', environment: { MANIFEST_URL: 'https://example.com/crds.yaml' } }],
});

// The module object cdktf's CommonJS code calls execSync on.
const childProcess = createRequire(import.meta.url)('node:child_process') as typeof ChildProcess;
afterEach(() => vi.restoreAllMocks());

describe('TerraformData (terraform_data without a terraform version process per resource)', () => {
  test("synthesizes exactly as cdktf's DataResource, in JSON and in HCL", () => {
    const { stack } = bothFrom(CONFIG);
    const resources = (JSON.parse(Testing.synth(stack)) as { resource: { terraform_data: Record<string, unknown> } }).resource.terraform_data;
    expect(resources.ours).toEqual(resources.cdktfs);
    expect(resources.ours).toMatchObject({ triggers_replace: { version: 'v1.4.1', secret: '${terraform_data.secret.id}' }, depends_on: ['terraform_data.dependency'] });

    const hcl = Testing.synthHcl(bothFrom(CONFIG).stack);
    // A block's body is all up to the next top-level block (cdktf's HCL is not indented).
    const blocks: string[] = hcl.split(/\n(?=(?:resource|data|terraform|provider|output|locals|variable|module|moved|import) )/);
    const block = (name: string) => blocks.find((text) => text.startsWith(`resource "terraform_data" "${name}"`))!.split('\n').slice(1).join('\n');
    expect(block('ours')).toContain('triggers_replace');
    expect(block('ours')).toBe(block('cdktfs'));
  });

  test('adds no synth-time validation: no terraform version process (DataResource starts one per resource)', () => {
    const execSync = vi.spyOn(childProcess, 'execSync');
    const { ours, cdktfs } = bothFrom(() => ({}));
    expect(ours.node.validate()).toEqual([]);
    expect(execSync).not.toHaveBeenCalled();
    cdktfs.node.validate();
    expect(execSync.mock.calls.map(([command]) => command)).toEqual([expect.stringMatching(/ version$/)]);
  });
});
