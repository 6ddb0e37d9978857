import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';

/**
 * Issue 22's "done when": a new built-in feature is one folder plus one registry line. The
 * construct library is copied to a temporary workspace (a git repository of its own), a toy
 * feature is added there as src/features/toy/ and one line of src/features/registry.ts, and the
 * copy then accepts and refuses the toy's config with file and line, plans it, type-checks, and
 * synthesizes its Helm release into the platform stack. git proves nothing else changed.
 */

const ROOT = join(import.meta.dirname, '../..');
const TSX = join(ROOT, 'node_modules/.bin/tsx');
// The compiler the typecheck target runs (packages/nx-plugin typecheck executor: TypeScript 7's native tsc).
const TSC = join(ROOT, 'node_modules/typescript-native/bin/tsc');

/** The top-level keys of an environment file today (the "allowed here" list of its messages). */
const TOP_LEVEL_KEYS =
  'name, aws_account_id, region, availability_zones, vpc_cidr, kubernetes_version, upgrade_policy, enable_cilium, enable_fargate, enable_hubble, enable_kube_proxy_replacement, cilium_mode, nat_gateways, endpoint_access, admin_principals, node_groups, fargate_profiles, log_retention_days, state, cilium, platform, load_balancers, tags, min_pods_per_node, karpenter, ip_budget, helm_values, eks_addons, protect_stateful_resources, iam, user_addons';

/** The code blocks of docs/EXTENDING.md "Adding a built-in feature" that start with `// <path>`, by path: the test adds exactly these. */
function documentedFiles(): Map<string, string> {
  const docs = readFileSync(join(ROOT, 'docs/EXTENDING.md'), 'utf8');
  const section = docs.slice(docs.indexOf('## Adding a built-in feature'));
  return new Map([...section.matchAll(/```ts\n\/\/ (src\/features\/[\w./-]+)[^\n]*\n([\s\S]*?)```/g)].map((match) => [match[1]!, match[2]!]));
}

/** The toy feature (a config fragment, a cross-field rule, a plan step, a Helm release in the platform stack) and its registry line, as the docs show them. */
const DOCUMENTED = documentedFiles();
const TOY_FEATURE = DOCUMENTED.get('src/features/toy/feature.ts')!;
const REGISTRY_LINE = DOCUMENTED.get('src/features/registry.ts')!.trim();

/** Loads, plans and synthesizes a config with the copied library; prints what it found as JSON. */
const DRIVER = `import { App } from 'cdktf';
import { ConfigError, defineSingleRegion, loadEnvironmentConfig, planPlatform } from './packages/cluster-factory/src/index.js';

const [file, outdir] = process.argv.slice(2);
let config;
try {
  config = loadEnvironmentConfig(file);
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  console.log(JSON.stringify({ problems: error.problems }));
  process.exit(0);
}
const plan = planPlatform(config, { today: '2026-12-05' });
const app = new App({ outdir });
defineSingleRegion(app, config, { today: '2026-12-05' });
app.synth();
console.log(JSON.stringify({ features: plan.features }));
`;

let work: string;
let library: string;

const git = (...args: string[]) => execFileSync('git', args, { cwd: library, encoding: 'utf8' });

/** A config: the sandbox's with `extra` appended, in the copy's workspace; its path as messages show it. */
function config(name: string, extra: string): string {
  const file = join(work, 'environments', `${name}.yaml`);
  writeFileSync(file, readFileSync(join(ROOT, 'environments/sandbox.yaml'), 'utf8') + extra);
  return relative(work, file);
}

function run(file: string): { problems?: string[]; features?: Record<string, unknown> } {
  const out = execFileSync(TSX, [join(work, 'driver.ts'), file, join(work, 'cdktf.out')], { cwd: work, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  return JSON.parse(out.trim().split('\n').at(-1)!) as { problems?: string[]; features?: Record<string, unknown> };
}

const lineOf = (file: string, text: string) => readFileSync(join(work, file), 'utf8').split('\n').indexOf(text) + 1;

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'toy-feature-'));
  library = join(work, 'packages/cluster-factory');
  mkdirSync(library, { recursive: true });
  mkdirSync(join(work, 'environments'));
  // The library's program (tsconfig.lib.json) with every file it includes.
  for (const part of ['src', 'testing', 'bundler', 'reference', 'package.json', 'tsconfig.json', 'tsconfig.lib.json']) cpSync(join(ROOT, 'packages/cluster-factory', part), join(library, part), { recursive: true });
  for (const file of ['tsconfig.base.json', 'vitest.shared.ts']) cpSync(join(ROOT, file), join(work, file));
  symlinkSync(join(ROOT, 'node_modules'), join(work, 'node_modules'));
  // ES modules, as in the workspace (its package.json).
  writeFileSync(join(work, 'package.json'), '{ "private": true, "type": "module" }\n');
  writeFileSync(join(work, 'driver.ts'), DRIVER);
  git('init', '-q');
  git('add', '-A');
  git('-c', 'user.name=test', '-c', 'user.email=test@example.com', 'commit', '-q', '-m', 'copy');
}, 60_000);

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('a toy built-in feature: one folder and one registry line', () => {
  test('docs/EXTENDING.md shows the whole change: the feature file and the registry line', () => {
    expect([...DOCUMENTED.keys()]).toEqual(['src/features/toy/feature.ts', 'src/features/registry.ts']);
    expect(REGISTRY_LINE).toBe("export * as f60_toy from './toy/feature.js';");
  });

  test('before it is registered, toy is an unknown key', () => {
    const file = config('before', 'toy:\n  enabled: true\n');
    const { problems } = run(file);
    expect(problems).toEqual([`${file}:${lineOf(file, 'toy:')}:1: toy: unknown key (allowed here: ${TOP_LEVEL_KEYS})`]);
  }, 60_000);

  describe('registered', () => {
    beforeAll(() => {
      mkdirSync(join(library, 'src/features/toy'));
      writeFileSync(join(library, 'src/features/toy/feature.ts'), TOY_FEATURE);
      const registry = join(library, 'src/features/registry.ts');
      writeFileSync(registry, `${readFileSync(registry, 'utf8')}${REGISTRY_LINE}\n`);
    });

    test('the change is the folder and the line, nothing else', () => {
      expect(git('status', '--porcelain', '--untracked-files=all').trimEnd().split('\n').sort()).toEqual([' M src/features/registry.ts', '?? src/features/toy/feature.ts']);
      expect(git('diff', '--numstat').trim()).toBe('1\t0\tsrc/features/registry.ts');
      expect(git('diff', '-U0', '--', 'src/features/registry.ts').split('\n').filter((line) => /^[+-][^+-]/.test(line))).toEqual([`+${REGISTRY_LINE}`]);
    });

    test('the library type-checks with it: the plan and the config types carry the toy', () => {
      const check = join(library, 'src/features/toy/check.ts');
      writeFileSync(
        check,
        "import type { EnvironmentConfig } from '../../config/schema.js';\nimport type { PlatformPlan } from '../../plan/platform-plan.js';\nexport const replicas = (plan: PlatformPlan): number | undefined => plan.features.toy?.replicas;\nexport const enabled = (config: EnvironmentConfig): boolean => config.toy.enabled;\n",
      );
      try {
        execFileSync(process.execPath, [TSC, '-p', join(library, 'tsconfig.lib.json'), '--outDir', join(work, 'tsc-out'), '--tsBuildInfoFile', join(work, 'tsc-out/lib.tsbuildinfo')], { cwd: work, encoding: 'utf8', stdio: 'pipe' });
      } catch (error) {
        throw new Error(`tsc: ${(error as { stdout?: string }).stdout ?? String(error)}`);
      } finally {
        rmSync(check);
      }
    }, 180_000);

    test('the config accepts it, the plan carries it and the platform stack installs its release', () => {
      const { features, problems } = run(config('toy', 'toy:\n  enabled: true\n  replicas: 2\n'));
      expect(problems).toBeUndefined();
      expect(features!.toy).toEqual({ replicas: 2 });
      const stack = JSON.parse(readFileSync(join(work, 'cdktf.out/stacks/sandbox-platform/cdk.tf.json'), 'utf8')) as {
        resource: { helm_release: Record<string, Record<string, unknown>> };
        output: Record<string, { value: string[] }>;
      };
      // In its own construct scope: a construct named after the feature in the platform stack.
      const releases = Object.entries(stack.resource.helm_release).filter(([, release]) => release.name === 'toy');
      expect(releases.map(([address]) => address)).toEqual(['toy_4DA184DA']);
      expect(releases[0]![1]).toMatchObject({
        '//': { metadata: { path: 'sandbox-platform/toy/toy' } },
        name: 'toy',
        namespace: 'toy',
        create_namespace: true,
        repository: 'https://charts.example.com',
        chart: 'toy',
        version: '1.2.3',
        values: ['{"replicaCount":2}'],
      });
      // Installed after the platform's own add-ons, in the registry's order.
      expect(stack.output.addons.value).toEqual(['aws-load-balancer-controller', 'network-policy-baseline', 'argocd', 'karpenter', 'toy']);
    }, 120_000);

    test('user add-ons may depend on it, and may not take its name', () => {
      const dependent = config('dependent', 'toy:\n  enabled: true\nuser_addons:\n  helm_charts:\n    - {name: toy-dashboard, namespace: toy, repository: "https://charts.example.com", chart: dashboard, version: 0.1.0, depends_on: [toy]}\n');
      expect(run(dependent).problems).toBeUndefined();
      const taken = config('taken', 'user_addons:\n  helm_charts:\n    - {name: toy, namespace: toy, repository: "https://charts.example.com", chart: toy, version: 1.2.3}\n');
      expect(run(taken).problems).toEqual([
        `${taken}:${lineOf(taken, 'user_addons:') + 2}:14: user_addons.helm_charts[0].name: "toy" is a name of the platform's add-ons (taken: argocd, aws-load-balancer-controller, cilium, cluster-mesh-dns, karpenter, karpenter-crd, karpenter-node-pools, network-policy-baseline, platform-applicationsets, toy)`,
      ]);
    }, 120_000);

    test('off by default: no release', () => {
      const { features } = run(config('off', ''));
      expect(features!.toy).toBeUndefined();
      const stack = JSON.parse(readFileSync(join(work, 'cdktf.out/stacks/sandbox-platform/cdk.tf.json'), 'utf8')) as { resource: { helm_release: Record<string, { name: string }> } };
      expect(Object.values(stack.resource.helm_release).filter((release) => release.name === 'toy')).toEqual([]);
    }, 120_000);

    test('its fields and its rule refuse bad values with file, line and field', () => {
      const file = config('bad', 'toy:\n  enabled: "yes"\n  replicas: 7\n  colour: blue\n');
      expect(run(file).problems).toEqual([
        `${file}:${lineOf(file, '  enabled: "yes"')}:12: toy.enabled: expected true or false, got string "yes"`,
        `${file}:${lineOf(file, '  replicas: 7')}:13: toy.replicas: 7 is too large (maximum: 3)`,
        `${file}:${lineOf(file, '  colour: blue')}:3: toy.colour: unknown key (allowed here: enabled, replicas)`,
        // The toy's rule runs with the environment's, and user add-ons' depends_on reads enabledIn: on an invalid field each says what it could not check.
        `${file}:${lineOf(file, '  enabled: "yes"')}:12: toy.enabled: not checked until it is valid: toy needs EC2 nodes; user_addons depends_on name add-ons of this environment, without cycles`,
      ]);
      const unknown = config('unknown', 'toys: {}\n');
      expect(run(unknown).problems).toEqual([`${unknown}:${lineOf(unknown, 'toys: {}')}:1: toys: unknown key (allowed here: ${TOP_LEVEL_KEYS}, toy)`]);
      const fargate = config('fargate', 'toy:\n  enabled: true\n');
      writeFileSync(join(work, fargate), readFileSync(join(work, fargate), 'utf8').replace('enable_fargate: false', 'enable_fargate: true').replace('network_policy_baseline: true', 'network_policy_baseline: false') + 'fargate_profiles:\n  - name: default\n    selectors: [{namespace: default}]\n');
      expect(run(fargate).problems).toEqual([`${fargate}:${lineOf(fargate, 'toy:') + 1}:12: toy.enabled: needs EC2 nodes (enable_fargate: false)`]);
    }, 120_000);
  });
});
