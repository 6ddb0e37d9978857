/**
 * An app's entry point (`apps/<app>/main.ts`) as one CommonJS file that plain `node` runs: the
 * `bundle` target of every app, which its `synth` target runs (docs/performance.md: a cold synth
 * loads ~950 modules through tsx and Node's ESM loader otherwise, three times slower).
 *
 * - CommonJS, because the provider packages use directory imports that native ESM rejects.
 * - `import.meta.url`/`dirname`/`filename` of each bundled file become that file's own path
 *   (workspace root, found relative to the bundle, joined with the file's path in the
 *   workspace), so files read beside the source (reference schemas, chart keys, the
 *   environment configs) are the same files the tsx path reads, and the bundle is the same
 *   file in any checkout (Nx restores it from its cache).
 * - Names are kept (`keepNames`): constructs prints `constructor.name` in its errors.
 * - re2-wasm stays a package: it loads its .wasm file from its own directory. The bundle must
 *   therefore live inside the workspace, where `node_modules` is found by walking up.
 */
import { build, type Plugin } from 'esbuild';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

/** Where an app's bundle goes, relative to the app's directory (the `bundle` target's output). */
export const BUNDLE_FILE = 'dist/main.cjs';

/** Paths in the bundle's comments and metafile are relative to the workspace, whatever the working directory. */
const WORKSPACE_ROOT = resolve(import.meta.dirname, '../../..');

/** Packages that must be loaded from node_modules at run time (they read files beside themselves). */
const EXTERNAL_PACKAGES = ['re2-wasm'];

export interface BundleResult {
  /** The bundle written. */
  readonly outfile: string;
  /** Every file the bundle was made from, absolute: what the `bundle` target's Nx inputs must cover. */
  readonly inputs: readonly string[];
}

/** The bundle's name for the workspace root, set in its first line from its own location. */
const ROOT_VARIABLE = '__workspaceRoot';

/** Rewrites `import.meta` of every bundled file to that file's own location (see above). */
const importMetaOfEachFile: Plugin = {
  name: 'import-meta-of-each-file',
  setup(builder) {
    builder.onLoad({ filter: /\.[cm]?[jt]s$/ }, (args) => {
      const text = readFileSync(args.path, 'utf8');
      if (!text.includes('import.meta')) return undefined;
      const path = `require("node:path").join(${ROOT_VARIABLE}, ${JSON.stringify(relative(WORKSPACE_ROOT, args.path).split('\\').join('/'))})`;
      const contents = text
        .replaceAll('import.meta.url', `require("node:url").pathToFileURL(${path}).href`)
        .replaceAll('import.meta.dirname', `require("node:path").dirname(${path})`)
        .replaceAll('import.meta.filename', path);
      return { contents, loader: /\.[cm]?ts$/.test(args.path) ? 'ts' : 'js' };
    });
  },
};

export interface BundleOptions {
  /**
   * Packages to take from elsewhere, for every importer (the app and its dependencies alike):
   * package name -> package directory. The CDK Terrain check (scripts/cdk-terrain.ts) bundles
   * the apps with `cdktf` and `constructs` from its own install.
   * @default none
   */
  readonly alias?: Readonly<Record<string, string>>;
}

/**
 * Bundles `<appDir>/main.ts` into `outfile` (default `<appDir>/dist/main.cjs`), replacing it
 * atomically. The outfile must be inside the workspace (see above).
 */
export async function bundleApp(appDir: string, outfile = join(appDir, BUNDLE_FILE), options: BundleOptions = {}): Promise<BundleResult> {
  const target = resolve(outfile);
  const result = await build({
    absWorkingDir: WORKSPACE_ROOT,
    entryPoints: [join(appDir, 'main.ts')],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    // The oldest Node.js the project supports (package.json engines): the same bundle on every newer one.
    target: 'node20',
    outfile: target,
    external: EXTERNAL_PACKAGES,
    alias: { ...options.alias },
    keepNames: true,
    legalComments: 'none',
    // Relative, so the bundle is the same file wherever the workspace is checked out.
    banner: { js: `var ${ROOT_VARIABLE} = require("node:path").join(__dirname, ${JSON.stringify(relative(dirname(target), WORKSPACE_ROOT).split('\\').join('/'))});` },
    plugins: [importMetaOfEachFile],
    metafile: true,
    write: false,
    logLevel: 'silent',
  });
  const warnings = result.warnings.map((warning) => `${warning.location?.file ?? ''}: ${warning.text}`);
  // A warning (e.g. an import.meta left empty, a require that cannot be followed) would be a silently different program.
  if (warnings.length > 0) throw new Error(`bundling ${appDir} warned:\n${warnings.join('\n')}`);
  mkdirSync(dirname(target), { recursive: true });
  const staging = `${target}.${process.pid}.tmp`;
  writeFileSync(staging, result.outputFiles[0]!.contents);
  renameSync(staging, target);
  return { outfile: target, inputs: Object.keys(result.metafile.inputs).map((input) => resolve(WORKSPACE_ROOT, input)) };
}
