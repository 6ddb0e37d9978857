import { describe, expect, test } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { COMMAND_BLOCKS, DOCUMENTED_COMMANDS, commandBlockIds } from '../lib/commands.js';
import { handWrittenPages } from '../generate-docs.js';

const ROOT = join(import.meta.dirname, '../..');


/** The real cdktf CLI running every one of them: commands.e2e.test.ts. */
describe('documented commands', () => {
  test('every deploy, diff and destroy command in README.md and docs/ is a generated command block', () => {
    const pages = handWrittenPages();
    const used = new Set<string>();
    for (const path of pages) {
      const page = readFileSync(join(ROOT, path), 'utf8');
      commandBlockIds(page).forEach((id) => used.add(id));
      const outsideBlocks = page.replace(/<!-- commands:([\w-]+) -->\n[\s\S]*?<!-- \/commands:\1 -->/g, '');
      expect(outsideBlocks.match(/cdktf (deploy|diff|destroy)\b.*/g) ?? [], path).toEqual([]);
    }
    expect([...used].sort()).toEqual(COMMAND_BLOCKS.map((block) => block.id).sort());
    expect(DOCUMENTED_COMMANDS.every((entry) => entry.command.startsWith('npx cdktf '))).toBe(true);
  });

  test('multi-region: the state, the networks, global, then each region, in an order cdktf accepts', () => {
    const steps = COMMAND_BLOCKS.find((block) => block.id === 'multi-region-deploy-steps')!.commands.map((entry) => entry.command);
    expect(steps).toEqual([
      "npx cdktf deploy 'multi-region-*-network'",
      'npx cdktf deploy multi-region-global --ignore-missing-stack-dependencies',
      "npx cdktf deploy 'multi-region-us-west-2-*' --ignore-missing-stack-dependencies",
      "npx cdktf deploy 'multi-region-us-east-1-*' --ignore-missing-stack-dependencies",
      "npx cdktf deploy 'multi-region-eu-west-1-*' --ignore-missing-stack-dependencies",
    ]);
  });
});
