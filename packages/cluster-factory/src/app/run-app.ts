import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import { constants } from 'node:os';
import { App, Aspects, DISABLE_STACK_TRACE_IN_METADATA, TerraformStack, type AnnotationMetadataEntryType } from 'cdktf';
import { parse } from 'yaml';
import { PolicyAspect } from '../policy/aspect.js';
import { acknowledgeCdktfDeprecations } from './cdktf-deprecations.js';
import { errorsLetThroughNote, unsuppressedErrors, writePolicyReport } from '../policy/report.js';
import type { IConstruct } from 'constructs';
import { ConfigError, configDisplayPath, loadEnvironmentConfig, resolveConfigPath, type ConfigLoadContext } from '../config/load.js';
import { TODAY_OVERRIDE_VARIABLE, calendarToday } from '../lifecycle/eks-calendar.js';
import type { EnvironmentConfig } from '../config/schema.js';
import { createStagingDirectory, replaceDirectory } from '../lib/private/replace-directory.js';
import { refuseSharedAccountResources } from './shared-account-resources.js';

/** Environment variable that redirects an app's output (tests, synth diffs against a git ref). */
export const OUTDIR_OVERRIDE_VARIABLE = 'CLUSTER_FACTORY_OUTDIR';

/** What an app's synth depends on besides its config: the day its Kubernetes version is judged on. */
export interface SynthContext {
  /** YYYY-MM-DD (UTC): CLUSTER_FACTORY_TODAY, else the system clock. Only messages and refusals depend on it, never the output. */
  readonly today: string;
}

export interface RunAppOptions<C = EnvironmentConfig> {
  /** The app's own environment file; CLUSTER_FACTORY_CONFIG overrides it. */
  readonly configPath: string;
  /** Reads and validates the file. @default loadEnvironmentConfig */
  readonly load?: (path: string, context: ConfigLoadContext) => C;
  /** Where `cdktf.out` goes, unless CLUSTER_FACTORY_OUTDIR or the cdktf CLI's CDKTF_OUTDIR says otherwise. */
  readonly outdir: string;
  /**
   * The environment this app synthesizes: a config (a variant through CLUSTER_FACTORY_CONFIG)
   * whose `name` is another one is refused.
   * @default the base name of configPath (environments/sandbox.yaml: sandbox)
   */
  readonly environment?: string;
  readonly define: (app: App, config: C, context: SynthContext) => void;
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

/** Warnings and errors of the construct tree, one line each, as `cdktf synth` prints them. */
export function formatAnnotations(root: IConstruct): string {
  return collectAnnotations(root)
    .map((annotation) => `[${annotation.level}] ${annotation.path}: ${annotation.message}\n`)
    .join('');
}

/** Prints warnings and errors of the construct tree to stderr, as `cdktf synth` would. */
export function printAnnotations(root: IConstruct): void {
  process.stderr.write(formatAnnotations(root));
}

/**
 * A config of another environment would overwrite this app's output (and state keys) with it.
 * The problem, or undefined when `name` is this app's environment.
 */
function environmentNameProblem(file: string, name: unknown, environment: string): string | undefined {
  if (name === environment) return undefined;
  const display = configDisplayPath(file);
  const text = readFileSync(file, 'utf8');
  const match = /^name:[ \t]*/m.exec(text);
  const position = match ? `:${text.slice(0, match.index).split('\n').length}:${match[0].length + 1}` : '';
  return `${display}${position}: name: ${JSON.stringify(name)} is not this app's environment (this app synthesizes name: ${environment} only)`;
}

/** The `name` of a config file that failed validation, when it can be read at all. */
function nameAsWritten(file: string): unknown {
  try {
    return (parse(readFileSync(file, 'utf8')) as { name?: unknown } | null)?.name;
  } catch {
    return undefined;
  }
}

/** Signals that end the process: the staging directory goes with it. */
const INTERRUPTS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

/** What an app run reads and where it prints: the process's own for runApp, explicit ones in tests. */
export interface AppRunContext {
  /** CLUSTER_FACTORY_CONFIG, CLUSTER_FACTORY_OUTDIR, CLUSTER_FACTORY_TODAY and CDKTF_OUTDIR are read from here, nothing else. */
  readonly env: NodeJS.ProcessEnv;
  /** Receives what the run prints: warnings, or the message of the error that ended it. */
  readonly stderr: (text: string) => void;
}

/** How an app run ended and what it printed (the exit status and stderr of its process). */
export interface AppRunResult {
  /** 0: cdktf.out written; 1: refused, nothing written. */
  readonly status: 0 | 1;
  readonly stderr: string;
}

/**
 * The config an app reads (CLUSTER_FACTORY_CONFIG, else its own file), validated and checked
 * to be this app's environment. Throws ConfigError with the message to print.
 */
export function loadAppConfig<C = EnvironmentConfig>(options: RunAppOptions<C>, env: NodeJS.ProcessEnv): C {
  const load = options.load ?? (loadEnvironmentConfig as unknown as NonNullable<RunAppOptions<C>['load']>);
  const environment = options.environment ?? basename(options.configPath).replace(/\.ya?ml$/, '');
  const file = resolveConfigPath(options.configPath, env);
  let config: C;
  try {
    config = load(file, synthContext(env));
  } catch (error) {
    // Every problem at once: a file of another environment says so beside its other errors.
    if (!(error instanceof ConfigError)) throw error;
    const name = nameAsWritten(file);
    const problem = typeof name === 'string' ? environmentNameProblem(file, name, environment) : undefined;
    throw problem ? new ConfigError(error.file, [...error.problems, problem]) : error;
  }
  const problem = environmentNameProblem(file, (config as { name?: unknown }).name, environment);
  if (problem) throw new ConfigError(configDisplayPath(file), [problem]);
  return config;
}

/** The synth context an app run reads from its variables; a malformed CLUSTER_FACTORY_TODAY is refused like a bad config. */
export function synthContext(env: NodeJS.ProcessEnv): SynthContext {
  try {
    return { today: calendarToday(env) };
  } catch (error) {
    throw new ConfigError(TODAY_OVERRIDE_VARIABLE, [(error as Error).message]);
  }
}

/**
 * Synthesizes a validated config into a fresh staging directory, then swaps it in atomically
 * (or writes in place into the cdktf CLI's CDKTF_OUTDIR). A failed synth prints its message,
 * leaves the previous cdktf.out as it was and no staging directory behind, and returns 1.
 */
export function synthesizeApp<C = EnvironmentConfig>(options: RunAppOptions<C>, config: C, context: AppRunContext): 0 | 1 {
  // Under `cdktf synth` the CLI owns the output directory.
  const cliOutdir = context.env.CDKTF_OUTDIR || undefined;
  const outdir = context.env[OUTDIR_OVERRIDE_VARIABLE] || options.outdir;
  if (cliOutdir) mkdirSync(dirname(cliOutdir), { recursive: true });
  const staging = cliOutdir ?? createStagingDirectory(outdir);
  const removeStaging = () => {
    if (!cliOutdir) rmSync(staging, { recursive: true, force: true });
  };
  acknowledgeCdktfDeprecations();
  // Annotations carry no stack trace: it names this machine's paths and the bundle's lines, and the output must not.
  const app = new App({ outdir: staging, context: { [DISABLE_STACK_TRACE_IN_METADATA]: true } });
  try {
    options.define(app, config, synthContext(context.env));
    // Within one app too: e.g. two regions' resources of a multi-region environment.
    refuseSharedAccountResources(app);
    const policies = applyPolicies(app);
    app.synth();
    context.stderr(formatAnnotations(app));
    const report = policies.report();
    writePolicyReport(staging, report);
    // Only CONTINUE_ON_ERRORS_VARIABLE gets an output past error annotations. The cdktf CLI sets
    // it and then fails on the errors itself; anyone else is told what the output carries.
    const letThrough = unsuppressedErrors(report).length;
    if (letThrough > 0 && !cliOutdir) context.stderr(`WARNING: ${errorsLetThroughNote(letThrough)}.\n`);
  } catch (error) {
    removeStaging();
    // Policy violations and construct errors: the message says what to fix; no stack trace.
    context.stderr(`${(error as Error).message}\n`);
    return 1;
  }
  if (!cliOutdir) replaceDirectory(staging, outdir);
  return 0;
}

/** The app's config, or undefined once the reason it is refused (a ConfigError) is printed. */
function configOrRefusal<C>(options: RunAppOptions<C>, context: AppRunContext): C | undefined {
  try {
    return loadAppConfig(options, context.env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    context.stderr(`${error.message}\n`);
    return undefined;
  }
}

/**
 * An app's whole run without touching the process: what its entry point would print and
 * exit with, given the variables it would read. Unexpected errors (not a bad config, not a
 * failed synth) are thrown, as they end the entry point with a stack trace.
 */
export function runAppInProcess<C = EnvironmentConfig>(options: RunAppOptions<C>, env: NodeJS.ProcessEnv): AppRunResult {
  let stderr = '';
  const context: AppRunContext = { env, stderr: (text) => (stderr += text) };
  const config = configOrRefusal(options, context);
  const status = config === undefined ? 1 : synthesizeApp(options, config, context);
  return { status, stderr };
}

/**
 * Entry point of every app: validate the config before anything is written, synthesize
 * into a fresh staging directory, then swap it in atomically. A bad config, a failed synth
 * or an interrupt leaves the previous cdktf.out as it was and no staging directory behind.
 * Exits 1 with the message on stderr when refused.
 */
export function runApp<C = EnvironmentConfig>(options: RunAppOptions<C>): void {
  const context: AppRunContext = { env: process.env, stderr: (text) => process.stderr.write(text) };
  const config = configOrRefusal(options, context);
  if (config === undefined) process.exit(1);
  // Synth and swap are synchronous: a signal is honoured once they are done, never between the renames, so neither a staging directory nor a half-swapped
  // cdktf.out is left behind.
  // `on`, not `once`: with no listener left, a second signal would kill the process the default way, staging directory and all.
  for (const signal of INTERRUPTS) process.on(signal, () => process.exit(128 + constants.signals[signal]));
  const status = synthesizeApp(options, config, context);
  if (status !== 0) process.exit(status);
  // A few more milliseconds of event loop, so that a signal received meanwhile is honoured.
  setTimeout(() => undefined, 20);
}
