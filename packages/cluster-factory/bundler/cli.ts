/**
 * The `bundle` target of every app: `tsx packages/cluster-factory/bundler/cli.ts apps/<app>`
 * writes apps/<app>/dist/main.cjs, which the app's `synth` target runs with plain `node`.
 */
import { relative, resolve } from 'node:path';
import { bundleApp } from './bundle-app.js';

const [appDir, ...rest] = process.argv.slice(2);
if (!appDir || rest.length > 0) {
  process.stderr.write('usage: tsx packages/cluster-factory/bundler/cli.ts apps/<app>\n');
  process.exit(2);
}
const started = Date.now();
const { outfile, inputs } = await bundleApp(resolve(appDir));
process.stdout.write(`${relative(process.cwd(), outfile)}: ${inputs.length} files bundled in ${Date.now() - started} ms\n`);
