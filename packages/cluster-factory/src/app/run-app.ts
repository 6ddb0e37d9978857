import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { App, Aspects, TerraformStack, type AnnotationMetadataEntryType } from 'cdktf';
import { PolicyAspect } from '../policy/aspect.js';
import type { IConstruct } from 'constructs';
import { ConfigError, loadEnvironmentConfig, resolveConfigPath } from '../config/load.js';
import type { EnvironmentConfig } from '../config/schema.js';

/** Environment variable that redirects an app's output (tests, synth diffs against a git ref). */
export const OUTDIR_OVERRIDE_VARIABLE = 'CLUSTER_FACTORY_OUTDIR';

export interface RunAppOptions<C = EnvironmentConfig> {
  /** The app's own environment file; CLUSTER_FACTORY_CONFIG overrides it. */
  readonly configPath: string;
  /** Reads and validates the file. @default loadEnvironmentConfig */
  readonly load?: (path: string) => C;
  /** Where `cdktf.out` goes, unless CLUSTER_FACTORY_OUTDIR or the cdktf CLI's CDKTF_OUTDIR says otherwise. */
  readonly outdir: string;
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

/**
 * Entry point of every app: validate the config before anything is written, synthesize
 * into a fresh directory, then swap it in. A bad config or a failed synth leaves the
 * previous cdktf.out as it was.
 */
export function runApp<C = EnvironmentConfig>(options: RunAppOptions<C>): void {
  let config: C;
  const load = options.load ?? (loadEnvironmentConfig as unknown as (path: string) => C);
  try {
    config = load(resolveConfigPath(options.configPath));
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }

  // Under `cdktf synth` the CLI owns the output directory.
  const cliOutdir = process.env.CDKTF_OUTDIR;
  const outdir = process.env[OUTDIR_OVERRIDE_VARIABLE] || options.outdir;
  const staging = cliOutdir ?? `${outdir}.staging-${process.pid}`;
  mkdirSync(dirname(staging), { recursive: true });
  const app = new App({ outdir: staging });
  let policies: PolicyAspect;
  try {
    options.define(app, config);
    policies = applyPolicies(app);
    app.synth();
  } catch (error) {
    if (!cliOutdir) rmSync(staging, { recursive: true, force: true });
    // Policy violations and construct errors: the message says what to fix; no stack trace.
    process.stderr.write(`${(error as Error).message}\n`);
    process.exit(1);
  }
  printAnnotations(app);
  writePolicyReport(staging, policies!);
  if (!cliOutdir) {
    if (existsSync(outdir)) rmSync(outdir, { recursive: true, force: true });
    renameSync(staging, outdir);
  }
}
