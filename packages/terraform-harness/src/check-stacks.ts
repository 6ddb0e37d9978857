import { copyFileSync, cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { backendKey, readSynthesizedStacks, remoteStateReads, requiredProviderAddresses, type StackJson, type SynthesizedStack } from './synth-output.js';
import { placeholderState, type ProviderSchemas } from './placeholders.js';
import { mirrorContents, PLUGIN_MIRROR_VARIABLE, terraform, writeCliConfig } from './terraform.js';
import { providerSchemas } from './provider-schemas.js';
import { attachable, installedAwsProvider, SharedAwsProvider, type TerraformRunner } from './shared-provider.js';

const AWS = 'registry.terraform.io/hashicorp/aws';

export type StackStatus = 'planned' | 'validated' | 'prepared' | 'not-checked' | 'failed';

export interface StackReport {
  readonly stack: string;
  readonly status: StackStatus;
  /** Why it failed, or why it was not checked. */
  readonly detail?: string;
  readonly validated: boolean;
  readonly planned: boolean;
  readonly changes?: { add: number; change: number; destroy: number };
  /** Path of the `terraform show -json` plan, when planned and kept. */
  readonly planJson?: string;
  /** The prepared, initialized working directory (with keepWorkdirs); its terraform CLI config is `cliConfigOf(workdir)`. */
  readonly workdir?: string;
}

/** The terraform CLI config (mirror, plugin cache) the harness used for a kept working directory. */
export function cliConfigOf(workdir: string): string {
  return join(dirname(workdir), 'terraform.rc');
}

export interface CheckOptions {
  /** A cdktf.out directory. */
  readonly outdir: string;
  /** Offline provider mirror (registry layout). Without it, providers come from the registry. */
  readonly mirror?: string;
  /** Directory to write `<stack>.plan.json` files into. */
  readonly planJsonDir?: string;
  /** Keep the working directories (for debugging, or to plan again in them). */
  readonly keepWorkdirs?: boolean;
  /** Only these stacks (remote-state reads of the others still get placeholders). @default every stack */
  readonly stacks?: readonly string[];
  /** The environment terraform runs in (proxies, credentials). @default process.env */
  readonly env?: NodeJS.ProcessEnv;
  /**
   * Only prepare each stack's working directory (overrides, placeholder remote state) and run
   * `terraform init`, without validating or planning: for a caller that runs its own terraform
   * steps in the kept directories (plan-check-apply's e2e test). Reported as `prepared`.
   * @default false
   */
  readonly prepareOnly?: boolean;
  /**
   * Run the plans, shows and validates of stacks with one `aws` configuration attached to one
   * aws provider process per binary (SharedAwsProvider), instead of starting the plugin in each
   * run, each given only the schemas of the types it uses. Same diagnostics and plans, about a
   * third of the CPU. @default true
   */
  readonly shareProvider?: boolean;
  /**
   * Run `terraform init` once per distinct set of what it reads (initKey: required providers
   * and versions, required_version, the providers that resources and data sources use; every
   * stack gets the harness's local backend) and give the other stacks a copy of its
   * `.terraform` and lock file, the files init would write for them. @default true
   */
  readonly reuseInit?: boolean;
  readonly log?: (line: string) => void;
}

/**
 * Everything the harness changes lives in *_override.tf.json files; cdk.tf.json is copied
 * untouched. This one must exist before `terraform init` (it replaces the S3 backend).
 */
function backendAndProviderOverride(stack: SynthesizedStack): object {
  const override: Record<string, unknown> = { terraform: { backend: { local: { path: 'terraform.tfstate' } } } };
  const awsProviders = stack.json.provider?.aws as Array<{ alias?: string }> | undefined;
  if (awsProviders) {
    // One override per configuration, matched by alias (a stack may span regions).
    override.provider = {
      aws: awsProviders.map((config) => ({
        ...(config.alias ? { alias: config.alias } : {}),
        access_key: 'offline-placeholder',
        secret_key: 'offline-placeholder',
        skip_credentials_validation: true,
        skip_requesting_account_id: true,
        skip_metadata_api_check: true,
        // No account can be asked offline, so the allowed-account check has nothing to compare.
        allowed_account_ids: [],
      })),
    };
  }
  return override;
}

/** Remote-state reads answered from local placeholder state files. */
function remoteStateOverride(stack: SynthesizedStack, stateFiles: Map<string, string>): object {
  const reads = remoteStateReads(stack.json);
  return {
    data: {
      terraform_remote_state: Object.fromEntries(
        reads.map((read) => [read.name, { backend: 'local', config: { path: stateFiles.get(read.key) ?? join(tmpdir(), 'missing.tfstate') } }]),
      ),
    },
  };
}

/**
 * Everything `terraform init` reads of a harness working directory, or undefined when it may
 * read more (modules, an HCP Terraform block). Init writes the same `.terraform` (provider
 * links into the shared plugin cache, the backend record) and the same lock file for two
 * stacks with the same key: the harness's backend is the same local one for every stack, and
 * the providers come from the same CLI config. The key names the providers a stack uses
 * without requiring them too: terraform installs a resource type's provider by the type's
 * first word (`aws_vpc`: aws), and `terraform` is built in.
 */
export function initKey(stack: StackJson & { module?: unknown; terraform?: { cloud?: unknown; required_version?: string } }): string | undefined {
  if (stack.module !== undefined || stack.terraform?.cloud !== undefined) return undefined;
  const requirements = Object.entries(stack.terraform?.required_providers ?? {})
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([name, requirement]) => [name, requirement.source ?? null, requirement.version ?? null]);
  const typesOf = (record: Record<string, unknown> | undefined) => Object.keys(record ?? {}).map((type) => type.split('_')[0]!);
  const used = new Set([...Object.keys(stack.provider ?? {}), ...typesOf(stack.resource), ...typesOf(stack.data)]);
  used.delete('terraform');
  return JSON.stringify({ requirements, requiredVersion: stack.terraform?.required_version ?? null, providers: [...used].sort() });
}

/** How terraform says it could not reach a registry or download site (Go's network errors). */
const NETWORK_ERROR = /could not connect to [\w.-]+|\b(?:dial|proxyconnect) tcp\b|no such host|connection refused|i\/o timeout|TLS handshake timeout|network is unreachable|Client\.Timeout exceeded/;

/**
 * The reason when `terraform init` failed only because providers could not be downloaded (no
 * mirror, no registry access): then the stack was not checked, which says nothing about the
 * stack. Any other init error (a version that does not exist, a bad source, a syntax error) is
 * a real failure, and so is an output that mixes both.
 */
export function unreachableProviderSource(output: string): string | undefined {
  const errors = output.split(/^Error: /m).slice(1);
  if (errors.length === 0 || !errors.every((error) => NETWORK_ERROR.test(error))) return undefined;
  const host = /could not connect to ([\w.-]+)/.exec(output)?.[1] ?? /Get "https?:\/\/([\w.-]+)/.exec(output)?.[1];
  return `providers could not be installed: ${host ?? 'their download site'} is unreachable (${firstLines(errors[0]!, 1)}); set ${PLUGIN_MIRROR_VARIABLE} to an offline mirror to check it here`;
}

/** The first non-blank lines of terraform's output: enough to say why a step failed. */
export function firstLines(text: string, count = 12): string {
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .slice(0, count)
    .join('\n');
}

/**
 * Validates every stack of a cdktf.out with the real terraform, and plans the AWS-only
 * stacks offline: local state, placeholder credentials, remote-state reads answered from
 * typed placeholder state files. Kubernetes-side stacks are validated when their providers
 * can be installed, and never planned (a plan needs a live API server).
 */
export async function checkStacks(options: CheckOptions): Promise<StackReport[]> {
  const log = options.log ?? (() => undefined);
  const stacks = readSynthesizedStacks(options.outdir);
  const root = mkdtempSync(join(tmpdir(), 'tf-harness-'));
  const pluginCacheDir = join(root, 'plugin-cache');
  mkdirSync(pluginCacheDir);
  const cliConfig = cliConfigOf(join(root, 'stack'));
  writeCliConfig(cliConfig, { mirror: options.mirror, pluginCacheDir });
  const env: NodeJS.ProcessEnv = { ...(options.env ?? process.env), TF_CLI_CONFIG_FILE: cliConfig };
  delete env.TF_PLUGIN_CACHE_DIR;
  const available = options.mirror ? mirrorContents(options.mirror) : undefined;

  const keyToStack = new Map(stacks.map((stack) => [backendKey(stack.json) ?? '', stack]));
  const stateFiles = new Map<string, string>();
  let schemas: ProviderSchemas | undefined;
  const reports: StackReport[] = [];
  const shared = new Map<string, Promise<SharedAwsProvider | undefined>>();
  const initialized = new Map<string, { stack: string; dir: string }>();
  /** The runner of a stack's terraform steps after init: attached to a shared provider where it may be, started at its first run. */
  const runnerOf = (stack: SynthesizedStack, dir: string): TerraformRunner => {
    const binary = options.shareProvider === false || !attachable(stack.json) ? undefined : installedAwsProvider(dir);
    if (!binary) return terraform;
    return async (cwd, args, runEnv) => {
      if (!shared.has(binary)) {
        const started = SharedAwsProvider.start(dir, env, { socketDir: root }).catch((error: Error) => {
          log(`  ${error.message}\n  each terraform run starts its own aws provider instead`);
          return undefined;
        });
        shared.set(binary, started);
      }
      const provider = await shared.get(binary);
      return (provider?.terraform ?? terraform)(cwd, args, runEnv);
    };
  };

  try {
    for (const stack of stacks.filter((candidate) => !options.stacks || options.stacks.includes(candidate.name))) {
      const providers = requiredProviderAddresses(stack.json);
      const missing = available ? providers.filter((provider) => !available.has(provider)) : [];
      if (missing.length > 0) {
        reports.push({
          stack: stack.name,
          status: 'not-checked',
          validated: false,
          planned: false,
          detail: `needs ${missing.join(', ')}, absent from the plugin mirror ${options.mirror}`,
        });
        continue;
      }
      const dir = join(root, stack.name);
      mkdirSync(dir);
      cpSync(stack.file, join(dir, 'cdk.tf.json'));
      writeFileSync(join(dir, 'harness_backend_override.tf.json'), JSON.stringify(backendAndProviderOverride(stack), null, 2));

      // A stack whose init would read what an earlier stack's read gets a copy of its result
      // (about a CPU second each: init hashes the 700 MB aws provider against the lock file).
      const key = options.reuseInit === false ? undefined : initKey(stack.json);
      const twin = key === undefined ? undefined : initialized.get(key);
      if (twin) {
        cpSync(join(twin.dir, '.terraform'), join(dir, '.terraform'), { recursive: true, verbatimSymlinks: true });
        copyFileSync(join(twin.dir, '.terraform.lock.hcl'), join(dir, '.terraform.lock.hcl'));
        log(`  ${stack.name}: terraform init as for ${twin.stack} (same providers, same backend)`);
      }
      const init = twin ? { code: 0, stdout: '', stderr: '' } : await terraform(dir, ['init', '-input=false', '-no-color'], env);
      if (init.code === 0 && key !== undefined && !twin) initialized.set(key, { stack: stack.name, dir });
      if (init.code !== 0) {
        const unreachable = unreachableProviderSource(init.stderr || init.stdout);
        if (unreachable) reports.push({ stack: stack.name, status: 'not-checked', validated: false, planned: false, detail: unreachable });
        else reports.push({ stack: stack.name, status: 'failed', validated: false, planned: false, detail: `terraform init failed:\n${firstLines(init.stderr || init.stdout)}` });
        continue;
      }
      if (!schemas && providers.includes(AWS) && remoteStateReads(stack.json).some((read) => !stateFiles.has(read.key))) {
        schemas = await providerSchemas(dir, env, runnerOf(stack, dir));
      }

      // Answer each remote-state read with typed placeholders of the producing stack's outputs.
      for (const read of remoteStateReads(stack.json)) {
        const producer = keyToStack.get(read.key);
        if (!producer || stateFiles.has(read.key)) continue;
        const accountId = String((producer.json.provider?.aws as Array<{ allowed_account_ids?: string[] }> | undefined)?.[0]?.allowed_account_ids?.[0] ?? '123456789012');
        const { state, untyped } = placeholderState(producer.json, schemas ?? {}, accountId);
        if (untyped.length > 0) log(`  ${stack.name}: no schema type for ${untyped.join(', ')} of ${producer.name}; using strings`);
        const file = join(root, `${producer.name}.placeholder.tfstate`);
        writeFileSync(file, JSON.stringify(state, null, 2));
        stateFiles.set(read.key, file);
      }
      if (remoteStateReads(stack.json).length > 0) {
        writeFileSync(join(dir, 'harness_remote_state_override.tf.json'), JSON.stringify(remoteStateOverride(stack, stateFiles), null, 2));
      }

      if (options.prepareOnly) {
        reports.push({ stack: stack.name, status: 'prepared', validated: false, planned: false, workdir: options.keepWorkdirs ? dir : undefined });
        continue;
      }
      const awsOnly = providers.length > 0 && providers.every((provider) => provider === AWS);
      const run = runnerOf(stack, dir);
      if (!awsOnly) {
        const validate = await run(dir, ['validate', '-no-color'], env);
        if (validate.code !== 0) {
          reports.push({ stack: stack.name, status: 'failed', validated: false, planned: false, detail: `terraform validate failed:\n${firstLines(validate.stderr || validate.stdout)}` });
        } else {
          reports.push({ stack: stack.name, status: 'validated', validated: true, planned: false, detail: 'not planned: Kubernetes-side stack, a plan needs a live API server' });
        }
        continue;
      }
      // No separate `terraform validate`: a plan validates the whole configuration first, with
      // the same diagnostics (resources with count = 0 included), and each terraform command
      // loads the aws provider's whole schema (about 1.4 CPU seconds, attached). The
      // machine-readable output carries the counts, so the plan is shown as JSON only when its
      // JSON is wanted.
      const plan = await run(dir, ['plan', '-json', '-input=false', '-refresh=false', '-lock=false', '-out=plan.bin'], env);
      const planned = readPlanEvents(plan.stdout);
      if (plan.code !== 0 || !planned.changes) {
        const why = planned.errors.length > 0 ? planned.errors.join('\n\n') : plan.stderr || plan.stdout;
        reports.push({ stack: stack.name, status: 'failed', validated: false, planned: false, detail: `terraform plan failed:\n${firstLines(why, 20)}` });
        continue;
      }
      const changes = planned.changes;
      let planJsonPath: string | undefined;
      if (options.planJsonDir) {
        const show = await run(dir, ['show', '-json', 'plan.bin'], env);
        if (show.code !== 0) {
          reports.push({ stack: stack.name, status: 'failed', validated: true, planned: true, detail: `terraform show failed:\n${firstLines(show.stderr || show.stdout)}` });
          continue;
        }
        mkdirSync(options.planJsonDir, { recursive: true });
        planJsonPath = join(options.planJsonDir, `${stack.name}.plan.json`);
        writeFileSync(planJsonPath, show.stdout);
      }
      reports.push({ stack: stack.name, status: 'planned', validated: true, planned: true, changes, planJson: planJsonPath, workdir: options.keepWorkdirs ? dir : undefined });
    }
  } finally {
    for (const started of shared.values()) {
      const provider = await started;
      if (!provider) continue;
      await provider.stop();
      const { plugin, cache } = provider.schemaCalls;
      const { runs, failedAndRunAgain } = provider.subsetRuns;
      log(
        `  ${provider.runs} terraform runs attached to one aws provider process (${basename(provider.binary)}); schema calls: ${plugin} answered by the plugin, ${cache} from its first answer; ` +
          `${runs} runs given only the schemas of the types they use, ${failedAndRunAgain} of them failed and ran again with the whole schema`,
      );
    }
    if (!options.keepWorkdirs) rmSync(root, { recursive: true, force: true });
  }
  return reports;
}

/** What a `terraform plan -json` printed: its change counts (absent when it did not finish) and its errors, as terraform words them. */
export function readPlanEvents(stdout: string): { changes?: { add: number; change: number; destroy: number }; errors: string[] } {
  let changes: { add: number; change: number; destroy: number } | undefined;
  const errors: string[] = [];
  for (const line of stdout.split('\n')) {
    if (!line.startsWith('{')) continue;
    const event = JSON.parse(line) as PlanEvent;
    if (event.type === 'change_summary' && event.changes) changes = { add: event.changes.add, change: event.changes.change, destroy: event.changes.remove };
    if (event.type === 'diagnostic' && event.diagnostic?.severity === 'error') {
      const { summary, detail, address, range } = event.diagnostic;
      errors.push(
        [`Error: ${summary}`, address ? `  with ${address},` : '', range ? `  on ${range.filename} line ${range.start.line}` : '', detail ?? ''].filter((part) => part !== '').join('\n'),
      );
    }
  }
  return { changes, errors };
}

/** The fields the harness reads of terraform's machine-readable UI (internal/command/views/json). */
interface PlanEvent {
  readonly type?: string;
  readonly changes?: { readonly add: number; readonly change: number; readonly remove: number };
  readonly diagnostic?: { readonly severity: string; readonly summary: string; readonly detail?: string; readonly address?: string; readonly range?: { readonly filename: string; readonly start: { readonly line: number } } };
}

/** One line per stack, then a summary that never counts an unchecked stack as passed. */
export function formatReports(reports: readonly StackReport[]): string {
  const width = Math.max(...reports.map((report) => report.stack.length), 5);
  const lines = reports.map((report) => {
    const name = report.stack.padEnd(width);
    switch (report.status) {
      case 'planned':
        return `${name}  validated  planned  ${report.changes!.add} to add, ${report.changes!.change} to change, ${report.changes!.destroy} to destroy`;
      case 'validated':
        return `${name}  validated  ${report.detail}`;
      case 'prepared':
        return `${name}  prepared (initialized, not validated)`;
      case 'not-checked':
        return `${name}  NOT CHECKED: ${report.detail}`;
      case 'failed':
        return `${name}  FAILED: ${report.detail}`;
    }
  });
  const count = (status: StackStatus) => reports.filter((report) => report.status === status).length;
  lines.push(
    `${reports.length} stacks: ${count('planned')} validated and planned, ${count('validated')} validated only, ${count('not-checked')} not checked, ${count('failed')} failed${count('prepared') ? `, ${count('prepared')} prepared only` : ''}`,
  );
  return lines.join('\n');
}
