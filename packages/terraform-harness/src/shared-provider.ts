import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SchemaCacheProxy } from './schema-cache-proxy.js';
import { typesUsedIn } from './schema-subset.js';
import { terraform, type TerraformResult } from './terraform.js';

/** How a harness step runs terraform: `terraform` itself, or a SharedAwsProvider's runs. */
export type TerraformRunner = (cwd: string, args: string[], env: NodeJS.ProcessEnv) => Promise<TerraformResult>;

const AWS = 'registry.terraform.io/hashicorp/aws';

/** Longest wait for a provider to print how to attach to it (a busy 2-core machine). */
const START_TIMEOUT_MS = 120_000;

/**
 * One AWS provider plugin process that the offline harness's terraform runs attach to in turn
 * (TF_REATTACH_PROVIDERS, the debug mode of every terraform-plugin-go provider), instead of
 * each run starting its own. A plan otherwise starts the 700 MB plugin two or three times
 * (schema, validate walk, plan walk) and hashes it against the lock file: a plan of a small
 * stack costs about 2.7 CPU seconds so, and 1.4 attached (0.9 in terraform, 0.5 in the shared
 * plugin; measured 2026-12-06). The plugin builds its whole schema again for each command
 * that asks (each one does, once); a relay in front of it answers from the first answer
 * (SchemaCacheProxy), which saves about 0.3 more CPU seconds per command, and gives a plan,
 * show or validate only the schemas of the types it uses, which saves terraform about 0.8.
 *
 * For the harness only: its working directories run offline with placeholder credentials,
 * just after `terraform init` installed and hashed the very binary this process runs. A
 * deploy never attaches: terraform would skip the lock file check it owes the user.
 *
 * Runs are serialized: the plugin keeps one provider configuration, the last one terraform
 * sent, so two runs at once could plan with each other's region or default tags. For the same
 * reason a stack with more than one `aws` configuration (aliases) runs with its own plugins
 * (`attachable`).
 */
export class SharedAwsProvider {
  /**
   * Starts the plugin binary a working directory's `terraform init` installed, or returns
   * undefined when there is none. Its environment is `env` without what only suits
   * short-lived processes or breaks a second configuration (see `serverEnv`). Throws when the
   * plugin does not start or does not print how to attach to it.
   */
  static async start(workdir: string, env: NodeJS.ProcessEnv, options: SharedAwsProviderOptions = {}): Promise<SharedAwsProvider | undefined> {
    const binary = installedAwsProvider(workdir);
    if (!binary) return undefined;
    // The sockets (the plugin's goes to its TMPDIR) live in a folder of their own, removed at
    // stop; short names, as a socket's path may not exceed about 100 bytes.
    const socketDir = mkdtempSync(join(options.socketDir ?? tmpdir(), 'p-'));
    const child = spawn(binary, ['-debug'], { env: { ...serverEnv(env), TMPDIR: socketDir }, stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      const plugin = await reattachConfig(child, binary);
      // terraform attaches to a relay that answers the schema call from the plugin's first answer.
      const config = JSON.parse(plugin) as Record<string, { Addr: { Network: string; String: string } }>;
      const relaySocket = join(socketDir, 'relay.sock');
      const proxy = await SchemaCacheProxy.start(config[AWS]!.Addr.String, relaySocket);
      config[AWS]!.Addr = { Network: 'unix', String: relaySocket };
      return new SharedAwsProvider(binary, child, JSON.stringify(config), proxy, socketDir, options.schemaSubsets ?? true);
    } catch (error) {
      child.kill('SIGINT');
      rmSync(socketDir, { recursive: true, force: true });
      throw error;
    }
  }

  /** How many terraform runs attached to this process so far. */
  runs = 0;
  private queue: Promise<unknown> = Promise.resolve();
  private stopped = false;
  private readonly stopOnExit = () => this.child.kill('SIGINT');

  private constructor(
    /** The plugin binary's real path: another binary (another version) needs its own process. */
    readonly binary: string,
    private readonly child: ChildProcess,
    /** The TF_REATTACH_PROVIDERS value that attaches terraform to this process (through the relay). */
    readonly reattach: string,
    /** The relay terraform attaches to. */
    private readonly proxy: SchemaCacheProxy,
    private readonly socketDir: string,
    private readonly schemaSubsets: boolean,
  ) {
    process.once('exit', this.stopOnExit);
  }

  /**
   * Runs terraform attached to this process, after every run started before it has ended.
   * `terraform init` runs unattached, as ever: attached, it would neither install nor lock the
   * aws provider. A plan, show or validate gets the schemas of the types its working directory
   * uses (`schemaSubsets`); one that fails so runs again with the whole schema, and its result
   * is the answer, so a failure reads exactly as terraform words it (suggestions included).
   */
  readonly terraform: TerraformRunner = (cwd, args, env) => {
    if (args[0] === 'init') return terraform(cwd, args, env);
    if (this.stopped) return Promise.reject(new Error(`the shared aws provider ${this.binary} has stopped`));
    this.runs += 1;
    const attached = { ...env, TF_REATTACH_PROVIDERS: this.reattach };
    const run = this.queue.then(async () => {
      const types = this.schemaSubsets && SUBSET_COMMANDS.has(args[0]!) ? typesUsedIn(cwd) : undefined;
      if (types) {
        this.proxy.restrictTo(types);
        const result = await terraform(cwd, args, attached).finally(() => this.proxy.restrictTo(undefined));
        this.subsetRuns.runs += 1;
        if (result.code !== 1) return result;
        this.subsetRuns.failedAndRunAgain += 1;
      }
      return terraform(cwd, args, attached);
    });
    this.queue = run.catch(() => undefined);
    return run;
  };

  /** Runs given only the schemas of the types their working directory uses, and those of them that failed and ran again with the whole schema. */
  readonly subsetRuns = { runs: 0, failedAndRunAgain: 0 };

  /** Ends the process once the runs already queued have ended (SIGINT: it closes its socket and exits 0). */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    await this.queue;
    process.removeListener('exit', this.stopOnExit);
    await this.proxy.close();
    if (this.child.exitCode === null && this.child.signalCode === null) {
      const exited = new Promise((resolve) => this.child.once('exit', resolve));
      this.child.kill('SIGINT');
      await exited;
    }
    rmSync(this.socketDir, { recursive: true, force: true });
  }

  /** Schema calls the plugin answered, and those the relay answered from the first. */
  get schemaCalls(): { readonly plugin: number; readonly cache: number } {
    return { ...this.proxy.schemaCalls };
  }
}

export interface SharedAwsProviderOptions {
  /** Where the sockets' folder goes. @default os.tmpdir() */
  readonly socketDir?: string;
  /**
   * Give each plan, show and validate only the schemas of the resource, data source and
   * ephemeral resource types its configuration and state use (`typesUsedIn`, `schemaSubset`):
   * terraform decodes every schema it gets, 0.8 CPU seconds for the whole aws provider.
   * @default true
   */
  readonly schemaSubsets?: boolean;
}

/** The commands that get a schema subset: they read the configuration and state of their working directory, and change nothing but a plan file. */
const SUBSET_COMMANDS = new Set(['plan', 'show', 'validate']);

/**
 * Whether a stack's terraform runs may attach to a SharedAwsProvider: exactly one `aws`
 * configuration (with aliases, terraform would configure the one process once per alias),
 * and no `custom_ca_bundle` (the plugin refuses a second configuration that adds a CA bundle
 * to its HTTP client).
 */
export function attachable(stackJson: { provider?: Record<string, unknown> }): boolean {
  const configs = stackJson.provider?.aws;
  const list = Array.isArray(configs) ? configs : configs ? [configs] : [];
  return list.length === 1 && !('custom_ca_bundle' in (list[0] as object));
}

/** The aws plugin binary `terraform init` linked into a working directory, by its real path. */
export function installedAwsProvider(workdir: string): string | undefined {
  const root = join(workdir, '.terraform/providers', AWS);
  if (!existsSync(root)) return undefined;
  const binaries = readdirSync(root).flatMap((version) =>
    readdirSync(join(root, version)).flatMap((platform) =>
      readdirSync(join(root, version, platform))
        .filter((file) => file.startsWith('terraform-provider-aws'))
        .map((file) => realpathSync(join(root, version, platform, file))),
    ),
  );
  return binaries.length === 1 ? binaries[0] : undefined;
}

/**
 * The plugin process's environment. Without AWS_CA_BUNDLE: the plugin adds the bundle to its
 * HTTP client at each configuration and refuses to from the second on ("unable to add custom
 * RootCAs HTTPClient"); offline runs make no request it would verify. GOGC=400 instead of the
 * caller's Go settings (tuned for short-lived processes, GOGC=off below 2 GiB, they would let
 * a long-lived one grow to that size): each terraform run makes the plugin build its whole
 * schema again, about 0.8 CPU seconds with Go's default GOGC=100 and 0.5 with 400 (measured
 * 2026-12-06, aws 5.100.0), for a process of about 700 MB instead of 350.
 */
export function serverEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const server: NodeJS.ProcessEnv = { ...env, GOGC: '400' };
  for (const name of ['AWS_CA_BUNDLE', 'GOMEMLIMIT', 'TF_REATTACH_PROVIDERS']) delete server[name];
  return server;
}

/** The TF_REATTACH_PROVIDERS value a provider started with `-debug` prints on its standard output. */
export function reattachValue(output: string): string | undefined {
  const value = /TF_REATTACH_PROVIDERS='([^']+)'/.exec(output)?.[1];
  if (!value) return undefined;
  const parsed = JSON.parse(value) as Record<string, { Addr?: { String?: string } }>;
  return parsed[AWS]?.Addr?.String ? value : undefined;
}

function reattachConfig(child: ChildProcess, binary: string): Promise<string> {
  return new Promise((resolve, reject) => {
    let settled = false;
    let output = '';
    let errors = '';
    const settle = (why?: string, value?: string) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (value) return resolve(value);
      child.kill('SIGINT');
      reject(new Error(`${binary} -debug ${why}${errors ? `:\n${errors.slice(0, 2000)}` : ''}`));
    };
    const timer = setTimeout(() => settle(`printed no TF_REATTACH_PROVIDERS within ${START_TIMEOUT_MS / 1000} s`), START_TIMEOUT_MS);
    // Both pipes are read for the process's whole life: a full pipe would block the plugin.
    child.stderr!.on('data', (chunk: Buffer) => {
      if (errors.length < 100_000) errors += chunk.toString();
    });
    child.stdout!.on('data', (chunk: Buffer) => {
      if (settled) return;
      output += chunk.toString();
      const value = reattachValue(output);
      if (value) settle(undefined, value);
    });
    child.once('error', (error) => settle(`could not start (${error.message})`));
    child.once('exit', (code, signal) => settle(`exited (${signal ?? code}) before printing TF_REATTACH_PROVIDERS`));
  });
}
