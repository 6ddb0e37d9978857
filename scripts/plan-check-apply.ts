/**
 * Deploy (or plan-only review) of one app, used by the GitHub workflows:
 *   npx tsx scripts/plan-check-apply.ts --app prod [--allow-destroy] [--plan-only] [--review-dir DIR]
 * Per stack in dependency order: init, plan to a file, check, apply that file; the first
 * failure stops. Protection comes from the app's config (protect_stateful_resources).
 */
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { appConfigPath, isProtected, planCheckApply } from './lib/plan-check-apply.js';

const ROOT = resolve(import.meta.dirname, '..');
const { values } = parseArgs({
  options: {
    app: { type: 'string' },
    'allow-destroy': { type: 'boolean', default: false },
    'plan-only': { type: 'boolean', default: false },
    'review-dir': { type: 'string' },
    stack: { type: 'string', multiple: true },
  },
});

async function main(): Promise<number> {
  const app = values.app;
  if (!app) throw new Error('usage: plan-check-apply --app APP [--allow-destroy] [--plan-only] [--review-dir DIR] [--stack NAME]...');
  const reviewDir = resolve(values['review-dir'] ?? mkdtempSync(join(tmpdir(), `plan-check-apply-${app}-`)));
  const protectedEnvironment = isProtected(appConfigPath(ROOT, app));
  process.stderr.write(`${app}: ${protectedEnvironment ? 'protected (protect_stateful_resources)' : 'not protected'}${values['allow-destroy'] ? ', deletions explicitly allowed' : ''}; review in ${reviewDir}\n`);
  const result = await planCheckApply({
    outdir: join(ROOT, 'apps', app, 'cdktf.out'),
    environment: app,
    protected: protectedEnvironment,
    allowDestroy: values['allow-destroy'],
    planOnly: values['plan-only'],
    stacks: values.stack,
    reviewDir,
    log: (line) => process.stderr.write(`${line}\n`),
  });
  process.stdout.write(result.review);
  return result.ok ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error: Error) => {
    process.stderr.write(`plan-check-apply: ${error.message}\n`);
    process.exit(1);
  },
);
