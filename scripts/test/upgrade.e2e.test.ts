import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkStacks, cliConfigOf, convergeState, PLUGIN_MIRROR_VARIABLE, providerSchemas, readSynthesizedStacks, SharedAwsProvider, type StackReport } from '@cilium-eks/terraform-harness';
import { EKS_ADDON_VERSIONS } from '@cilium-eks/cluster-factory';
import { APPS } from '../lib/apps.js';
import { planCheckApply } from '../lib/plan-check-apply.js';

const mirror = process.env[PLUGIN_MIRROR_VARIABLE] || undefined;
const ROOT = join(import.meta.dirname, '../..');
const STACKS = ['sandbox-cluster', 'sandbox-compute'];

/**
 * A sandbox variant with kube-proxy (no kube-proxy replacement, so no Gateway API): its
 * kube-proxy add-on is pinned per minor, so an upgrade changes an add-on too.
 */
function variant(version: string): string {
  const text = readFileSync(join(ROOT, 'environments/sandbox.yaml'), 'utf8')
    .replace('kubernetes_version: "1.35"', `kubernetes_version: "${version}"`)
    .replace('enable_kube_proxy_replacement: true', 'enable_kube_proxy_replacement: false')
    .replace('gateway_api: true', 'gateway_api: false');
  expect(text).toContain(`kubernetes_version: "${version}"`);
  expect(text).toContain('enable_kube_proxy_replacement: false');
  return text;
}

interface ChangeJson {
  address: string;
  type: string;
  change: { actions: string[]; before: Record<string, unknown>; after: Record<string, unknown> };
}

/**
 * A state built from planned values, with what hashicorp/aws stores after applying them where the
 * two differ: a node group's update_config.max_unavailable is null in a create plan but 0 once
 * applied (the provider, on plugin SDK v2, writes 0 for the unset number next to
 * max_unavailable_percentage; its own update plans show `null -> 0`). Whether the converged
 * state held null or 0 depended on how the convergence rounds went, so the upgrade plan below
 * sometimes showed that as a change of its own (on issue-19 as well).
 */
function asStoredAfterApply(stateText: string): string {
  const state = JSON.parse(stateText) as { resources: Array<{ type: string; instances: Array<{ attributes: { update_config?: Array<{ max_unavailable: number | null }> } }> }> };
  for (const resource of state.resources.filter((entry) => entry.type === 'aws_eks_node_group')) {
    for (const { attributes } of resource.instances) for (const config of attributes.update_config ?? []) config.max_unavailable ??= 0;
  }
  return JSON.stringify(state);
}

/**
 * The upgrade, proven with the real terraform and the offline provider mirror: the sandbox
 * variant at 1.35 is brought to the state it would have once applied (convergeState: plan
 * with -refresh=false until nothing changes, no AWS), then the same variant one minor up is
 * planned against that state and checked by the deploy's plan check.
 */
describe.skipIf(!mirror && !process.env.CI)('a Kubernetes upgrade planned against a state at the old version (real terraform, offline)', () => {
  const work = mkdtempSync(join(tmpdir(), 'upgrade-'));
  const outdirs: Record<string, string> = {};
  let reports: StackReport[];
  const converged = new Map<string, string>();
  let provider: SharedAwsProvider;
  const workdirOf = (stack: string) => reports.find((report) => report.stack === stack)!.workdir!;

  beforeAll(async () => {
    for (const version of ['1.35', '1.36']) {
      const config = join(work, `sandbox-${version}.yaml`);
      writeFileSync(config, variant(version));
      outdirs[version] = join(work, version, 'cdktf.out');
      const result = APPS.sandbox!.synth({ outdir: outdirs[version]!, config });
      expect(result.status, result.stderr).toBe(0);
    }
    reports = await checkStacks({ outdir: outdirs['1.35']!, mirror, stacks: STACKS, keepWorkdirs: true });
    expect(reports.map((report) => [report.stack, report.status])).toEqual(STACKS.map((stack) => [stack, 'planned']));
    const env: NodeJS.ProcessEnv = { ...process.env, TF_CLI_CONFIG_FILE: cliConfigOf(workdirOf(STACKS[0]!)) };
    delete env.TF_PLUGIN_CACHE_DIR;
    const schemas = (await providerSchemas(workdirOf(STACKS[0]!), env))!;
    // The harness already planned each stack from empty state (plan.bin): the first round.
    // Converging and the deploys' plans and shows attach to one aws provider process.
    provider = (await SharedAwsProvider.start(workdirOf(STACKS[0]!), env))!;
    await Promise.all(
      STACKS.map(async (stack) => {
        await convergeState(workdirOf(stack), { env, schemas, accountId: '111111111111', firstPlan: 'plan.bin', rounds: 3, terraform: provider.terraform });
        converged.set(stack, asStoredAfterApply(readFileSync(join(workdirOf(stack), 'terraform.tfstate'), 'utf8')));
      }),
    );
    // From here on, each working directory holds the 1.36 configuration.
    for (const stack of readSynthesizedStacks(outdirs['1.36']!).filter((entry) => STACKS.includes(entry.name))) copyFileSync(stack.file, join(workdirOf(stack.name), 'cdk.tf.json'));
  }, 600_000);

  afterAll(() => provider?.stop());

  /** The deploy's plan, check and (recorded, not run) apply of both stacks against a given state. */
  async function deploy(state: (stack: string) => string) {
    for (const stack of STACKS) writeFileSync(join(workdirOf(stack), 'terraform.tfstate'), state(stack));
    const env: NodeJS.ProcessEnv = { ...process.env, TF_CLI_CONFIG_FILE: cliConfigOf(workdirOf(STACKS[0]!)) };
    delete env.TF_PLUGIN_CACHE_DIR;
    const reviewDir = mkdtempSync(join(work, 'review-'));
    const applied: string[] = [];
    const result = await planCheckApply({
      outdir: outdirs['1.36']!,
      environment: 'sandbox',
      protected: false,
      reviewDir,
      stacks: STACKS,
      workdir: (stack) => workdirOf(stack.name),
      env,
      planFlags: ['-refresh=false', '-lock=false'],
      terraform: provider.terraform,
      apply: async (cwd) => {
        applied.push(cwd);
        return { code: 0, stdout: '', stderr: '' };
      },
    });
    const changes = (stack: string) =>
      (JSON.parse(readFileSync(join(reviewDir, `${stack}.plan.json`), 'utf8')) as { resource_changes: ChangeJson[] }).resource_changes.filter((change) => change.change.actions.join() !== 'no-op');
    return { ...result, applied, changes };
  }

  test('one minor up (1.35 -> 1.36): in-place updates of the control plane, kube-proxy and every node group, and nothing else; the check passes', async () => {
    const result = await deploy((stack) => converged.get(stack)!);
    expect(result.steps.map((step) => `${step.stack} ${step.step}${step.ok ? '' : ' FAILED'}`)).toEqual(STACKS.flatMap((stack) => ['init', 'plan', 'show', 'check', 'apply'].map((step) => `${stack} ${step}`)));
    expect(result.ok).toBe(true);
    const kubeProxy = EKS_ADDON_VERSIONS.addons['kube-proxy'].versions;
    const summary = (stack: string) =>
      result.changes(stack).map((change) => {
        const attribute = change.type === 'aws_eks_addon' ? 'addon_version' : 'version';
        return `${change.change.actions.join('/')} ${change.type} ${String(change.change.before[attribute])} -> ${String(change.change.after[attribute])}`;
      });
    expect(summary('sandbox-cluster').sort()).toEqual([`update aws_eks_addon ${kubeProxy['1.35']} -> ${kubeProxy['1.36']}`, 'update aws_eks_cluster 1.35 -> 1.36']);
    expect(summary('sandbox-compute')).toEqual(['update aws_eks_node_group 1.35 -> 1.36', 'update aws_eks_node_group 1.35 -> 1.36']);
    // The review shows the upgrade in deployment order, each value from -> to.
    expect(result.review).toContain(
      [
        '| stack | component | from | to |',
        '|---|---|---|---|',
        '| sandbox-cluster | add-on kube-proxy (sandbox) | v1.35.3-eksbuild.13 | v1.36.0-eksbuild.14 |',
        '| sandbox-cluster | cluster sandbox | 1.35 | 1.36 |',
        '| sandbox-compute | node group spot-workers (sandbox) | 1.35 | 1.36 |',
        '| sandbox-compute | node group system (sandbox) | 1.35 | 1.36 |',
      ].join('\n'),
    );
    expect(result.review).toMatch(/- `aws_eks_cluster\.control-plane_cluster_[0-9A-F]+` \(changed: version\)\n {2}- `version`: `"1\.35"` → `"1\.36"`\n/);
    expect(result.review.match(/- `aws_eks_node_group\.[\w-]+` \(changed: version\)\n {2}- `version`: `"1\.35"` → `"1\.36"`\n/g)).toHaveLength(2);
    expect(result.review).not.toContain('Refused');
    // The state settled: no output appears or changes.
    expect(result.review).not.toContain('Output changes');
  }, 600_000);

  test('two minors up (1.34 -> 1.36) is refused at the cluster stack, before anything is applied', async () => {
    const at134 = (stack: string) => {
      const state = JSON.parse(converged.get(stack)!) as { resources: Array<{ type: string; instances: Array<{ attributes: Record<string, unknown> }> }> };
      for (const resource of state.resources) {
        for (const { attributes } of resource.instances) {
          if (resource.type === 'aws_eks_cluster' || resource.type === 'aws_eks_node_group') attributes.version = '1.34';
          if (resource.type === 'aws_eks_addon' && attributes.addon_name === 'kube-proxy') attributes.addon_version = EKS_ADDON_VERSIONS.addons['kube-proxy'].versions['1.34'];
        }
      }
      return JSON.stringify(state);
    };
    const result = await deploy(at134);
    expect(result.ok).toBe(false);
    expect(result.steps.map((step) => `${step.stack} ${step.step}${step.ok ? '' : ' FAILED'}`)).toEqual(['sandbox-cluster init', 'sandbox-cluster plan', 'sandbox-cluster show', 'sandbox-cluster check FAILED']);
    expect(result.steps.at(-1)!.detail).toMatch(
      /^sandbox-cluster: aws_eks_cluster\.control-plane_cluster_[0-9A-F]+: Kubernetes 1\.34 -> 1\.36 skips 1\.35: EKS upgrades a control plane one minor version at a time; deploy 1\.35 first$/,
    );
    expect(result.applied).toEqual([]);
  }, 600_000);
});
