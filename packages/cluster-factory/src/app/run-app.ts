import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { constants } from 'node:os';
import { App, Aspects, TerraformStack, type AnnotationMetadataEntryType } from 'cdktf';
import { PolicyAspect } from '../policy/aspect.js';
import type { IConstruct } from 'constructs';
import { ConfigError, configDisplayPath, loadEnvironmentConfig, resolveConfigPath } from '../config/load.js';
import type { EnvironmentConfig } from '../config/schema.js';
import { createStagingDirectory, replaceDirectory } from '../lib/private/replace-directory.js';

/** Environment variable that redirects an app's output (tests, synth diffs against a git ref). */
export const OUTDIR_OVERRIDE_VARIABLE = 'CLUSTER_FACTORY_OUTDIR';

export interface RunAppOptions<C = EnvironmentConfig> {
  /** The app's own environment file; CLUSTER_FACTORY_CONFIG overrides it. */
  readonly configPath: string;
  /** Reads and validates the file. @default loadEnvironmentConfig */
  readonly load?: (path: string) => C;
  /** Where `cdktf.out` goes, unless CLUSTER_FACTORY_OUTDIR or the cdktf CLI's CDKTF_OUTDIR says otherwise. */
  readonly outdir: string;
  /**
   * The environment this app synthesizes: a config (a variant through CLUSTER_FACTORY_CONFIG)
   * whose `name` is another one is refused.
   * @default the base name of configPath (environments/sandbox.yaml: sandbox)
   */
  readonly environment?: string;
  readonly define: (app: App, config: C) => void;
}

/** Warnings and errors attached to constructs, e.g. "Fargate disables Cilium". */
export function collectAnnotations(root: IConstruct): Array<{ level: string; path: string; message: string }> {
  return root.node
    .findAll()
    .flatMap((construct) =>
      construct.node.metadata
        .filter((entry) => ['@cdktf/info', '@cdktf/warn', '@cdktf/error'].includes(entry.type as AnnotationMetadataEntryType))
        .map((entry) => ({ level: entry.type.replace('@cdktf/', ''), path: construct.node.path, message: String(entry.data) })),
    );
}

/**
 * Adds the policy rule pack to every stack of an app (cdktf runs aspects per stack; they are
 * not inherited from the App). Call it once the stacks exist.
 */
export function applyPolicies(app: App): PolicyAspect {
  const aspect = new PolicyAspect();
  for (const stack of app.node.children.filter((child): child is TerraformStack => child instanceof TerraformStack)) Aspects.of(stack).add(aspect);
  return aspect;
}

/** policy-report.json beside manifest.json: every finding, suppressed ones with their reason. */
export function writePolicyReport(outdir: string, aspect: PolicyAspect): void {
  writeFileSync(join(outdir, 'policy-report.json'), `${JSON.stringify(aspect.report(), null, 2)}\n`);
}

/** Prints warnings and errors of the construct tree to stderr, as `cdktf synth` would. */
export function printAnnotations(root: IConstruct): void {
  for (const annotation of collectAnnotations(root)) {
    process.stderr.write(`[${annotation.level}] ${annotation.path}: ${annotation.message}\n`);
  }
}

/** A config of another environment would overwrite this app's output (and state keys) with it. */
function checkEnvironmentName(file: string, config: unknown, environment: string): void {
  const name = (config as { name?: unknown }).name;
  if (name === environment) return;
  const display = configDisplayPath(file);
  const text = readFileSync(file, 'utf8');
  const match = /^name:[ \t]*/m.exec(text);
  const position = match ? `:${text.slice(0, match.index).split('\n').length}:${match[0].length + 1}` : '';
  throw new ConfigError(display, [`${display}${position}: name: ${JSON.stringify(name)} is not this app's environment (this app synthesizes name: ${environment} only)`]);
}

/** Signals that end the process: the staging directory goes with it. */
const INTERRUPTS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

/**
 * Entry point of every app: validate the config before anything is written, synthesize
 * into a fresh staging directory, then swap it in atomically. A bad config, a failed synth
 * or an interrupt leaves the previous cdktf.out as it was and no staging directory behind.
 */
export function runApp<C = EnvironmentConfig>(options: RunAppOptions<C>): void {
  let config: C;
  const load = options.load ?? (loadEnvironmentConfig as unknown as (path: string) => C);
  const environment = options.environment ?? basename(options.configPath).replace(/\.ya?ml$/, '');
  try {
    const file = resolveConfigPath(options.configPath);
    config = load(file);
    checkEnvironmentName(file, config, environment);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }

  // Under `cdktf synth` the CLI owns the output directory.
  const cliOutdir = process.env.CDKTF_OUTDIR || undefined;
  const outdir = process.env[OUTDIR_OVERRIDE_VARIABLE] || options.outdir;
  // Synth and swap are synchronous: a signal is honoured once they are done, never between the renames, so neither a staging directory nor a half-swapped
  // cdktf.out is left behind.
  for (const signal of INTERRUPTS) process.once(signal, () => process.exit(128 + constants.signals[signal]));
  if (cliOutdir) mkdirSync(dirname(cliOutdir), { recursive: true });
  const staging = cliOutdir ?? createStagingDirectory(outdir);
  const removeStaging = () => {
    if (!cliOutdir) rmSync(staging, { recursive: true, force: true });
  };
  const app = new App({ outdir: staging });
  try {
    options.define(app, config);
    const policies = applyPolicies(app);
    app.synth();
    printAnnotations(app);
    writePolicyReport(staging, policies);
  } catch (error) {
    removeStaging();
    // Policy violations and construct errors: the message says what to fix; no stack trace.
    process.stderr.write(`${(error as Error).message}\n`);
    process.exit(1);
  }
  if (!cliOutdir) replaceDirectory(staging, outdir);
  // A few more milliseconds of event loop, so that a signal received meanwhile is honoured.
  setTimeout(() => undefined, 20);
}
