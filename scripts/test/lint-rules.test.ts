import { describe, expect, test } from 'vitest';
import { ESLint } from 'eslint';
import { join } from 'node:path';

const ROOT = join(import.meta.dirname, '../..');

async function lint(code: string) {
  const eslint = new ESLint({ cwd: ROOT });
  const [result] = await eslint.lintText(code, { filePath: join(ROOT, 'packages/cluster-factory/src/example.ts') });
  return result!.messages.map((message) => `${message.ruleId}: ${message.message}`);
}

describe('workspace lint rules', () => {
  test.each(['aws', 'helm', 'kubernetes'])('a root import of @cdktf/provider-%s is an error', async (provider) => {
    expect(await lint(`import { Foo } from '@cdktf/provider-${provider}';\nexport const x = Foo;\n`)).toEqual([
      `no-restricted-imports: '@cdktf/provider-${provider}' import is restricted from being used. Import from a submodule, e.g. '@cdktf/provider-${provider}/lib/provider': the package root loads every resource binding.`,
    ]);
  });

  test('a submodule import is fine', async () => {
    expect(await lint(`import { EksCluster } from '@cdktf/provider-aws/lib/eks-cluster';\nexport const x = EksCluster;\n`)).toEqual([]);
  });
});
