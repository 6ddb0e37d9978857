import { describe, expect, test } from 'vitest';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { TERRAFORM_VERSION } from '@cilium-eks/cluster-factory';
import { NODE_LINES } from '../node-lines.mjs';
import { APPS } from '../lib/apps.js';

const ROOT = join(import.meta.dirname, '../..');
const WORKFLOWS = join(ROOT, '.github/workflows');

interface Step {
  uses?: string;
  run?: string;
  if?: string;
  with?: Record<string, unknown>;
}
interface Job {
  permissions?: Record<string, string>;
  steps: Step[];
  strategy?: { matrix?: { app?: unknown; node?: unknown } };
  environment?: string;
  env?: Record<string, string>;
}
interface Workflow {
  on: Record<string, unknown>;
  permissions: Record<string, string>;
  jobs: Record<string, Job>;
}

const load = (file: string) => parse(readFileSync(join(WORKFLOWS, file), 'utf8')) as Workflow;
const projects = () =>
  Object.fromEntries(
    ['apps', 'packages'].flatMap((parent) =>
      readdirSync(join(ROOT, parent)).map((dir) => {
        const project = JSON.parse(readFileSync(join(ROOT, parent, dir, 'project.json'), 'utf8')) as { name: string; targets: Record<string, unknown> };
        return [project.name, Object.keys(project.targets)];
      }),
    ),
  );

describe('GitHub workflows', () => {
  const files = readdirSync(WORKFLOWS).sort();

  test('every workflow that installs Terraform installs the tested version (src/versions.ts TERRAFORM_VERSION)', () => {
    const pinned = files.map((file) => [file, (parse(readFileSync(join(WORKFLOWS, file), 'utf8')) as { env?: Record<string, string> }).env?.TERRAFORM_VERSION]);
    expect(pinned.filter(([, version]) => version !== undefined)).toEqual(files.map((file) => [file, TERRAFORM_VERSION.tested]));
  });

  test('a pull-request and a deploy workflow', () => {
    expect(files).toEqual(['deploy.yml', 'pull-request.yml']);
  });

  test.each(files)('%s: every action is pinned to a commit SHA, with its release tag as a comment', (file) => {
    const uses = Object.values(load(file).jobs).flatMap((job) => job.steps.map((step) => step.uses).filter(Boolean)) as string[];
    expect(uses.length).toBeGreaterThan(3);
    for (const action of uses) expect(action, action).toMatch(/^[\w.-]+\/[\w.-]+@[0-9a-f]{40}$/);
    const lines = readFileSync(join(WORKFLOWS, file), 'utf8').split('\n').filter((line) => /^\s*-?\s*uses:/.test(line));
    expect(lines).toHaveLength(uses.length);
    for (const line of lines) expect(line, line).toMatch(/uses: [\w.-]+\/[\w.-]+@[0-9a-f]{40} # v\d+\.\d+\.\d+$/);
  });

  test.each(files)('%s: no expression is interpolated into a shell script (values reach it through env:)', (file) => {
    const runs = Object.values(load(file).jobs).flatMap((job) => job.steps.map((step) => step.run).filter(Boolean)) as string[];
    expect(runs.length).toBeGreaterThan(2);
    for (const run of runs) expect(run, run).not.toContain('${{');
  });

  test.each(files)('%s: read-only by default; OIDC tokens only where a job assumes an AWS role', (file) => {
    const workflow = load(file);
    expect(workflow.permissions).toEqual({ contents: 'read' });
    for (const [name, job] of Object.entries(workflow.jobs)) {
      const assumesRole = job.steps.some((step) => step.uses?.startsWith('aws-actions/configure-aws-credentials@'));
      expect(job.permissions?.['id-token'] === 'write', `${file}:${name}`).toBe(assumesRole);
    }
  });

  test('pull requests run the affected targets, plan each affected app and keep one comment per app', () => {
    const workflow = load('pull-request.yml');
    expect(Object.keys(workflow.on)).toEqual(['pull_request']);
    const runs = Object.values(workflow.jobs).flatMap((job) => job.steps.map((step) => step.run ?? '')).join('\n');
    const affected = /nx affected -t ([\w ]+?) --base/.exec(runs)?.[1]?.split(' ');
    expect(affected).toEqual(['lint', 'typecheck', 'test', 'e2e', 'synth', 'validate']);
    const targets = projects();
    for (const target of affected!) expect(Object.values(targets).some((list) => list.includes(target)), target).toBe(true);
    for (const app of ['sandbox', 'prod', 'multi-region']) expect(targets[app]).toEqual(expect.arrayContaining(['synth', 'validate', 'plan-review']));
    const comment = workflow.jobs.plan!.steps.find((step) => step.uses?.startsWith('marocchino/sticky-pull-request-comment@'));
    expect(comment).toMatchObject({ with: { header: 'plan-review-${{ matrix.app }}' } });
    expect(workflow.jobs.plan!.permissions).toEqual({ contents: 'read', 'id-token': 'write', 'pull-requests': 'write' });
    // With a read-only plan role: every stack, planned against the real state or listed as not planned.
    expect(runs).toContain('npx tsx scripts/plan-check-apply.ts --app "$APP" --plan-only --review-dir "$RUNNER_TEMP/review" > "apps/$APP/plan-review.md"');
    expect(runs).toContain('npx nx run "$APP:plan-review"');
  });

  test('main deploys every environment one at a time, each behind its GitHub environment, applying exactly the checked plans', () => {
    const workflow = load('deploy.yml');
    expect(workflow.on).toHaveProperty('push', { branches: ['main'] });
    expect(workflow.on).toHaveProperty('workflow_dispatch', { inputs: { allow_destroy: expect.objectContaining({ type: 'boolean', default: false }) } });
    const deploy = workflow.jobs.deploy!;
    expect(deploy.strategy).toMatchObject({ 'max-parallel': 1, 'fail-fast': true });
    // Every app, each once; unprotected environments first (sandbox before prod).
    const matrix = (deploy.strategy as { matrix: { app: string[] } }).matrix.app;
    expect([...matrix].sort()).toEqual(Object.keys(APPS).sort());
    expect(matrix.indexOf('sandbox')).toBeLessThan(matrix.indexOf('prod'));
    const isProtected = (app: string) => (parse(readFileSync(join(ROOT, 'environments', `${app}.yaml`), 'utf8')) as { protect_stateful_resources?: boolean }).protect_stateful_resources === true;
    const firstProtected = matrix.findIndex(isProtected);
    expect(matrix.slice(firstProtected).every(isProtected)).toBe(true);
    expect(deploy.environment).toBe('${{ matrix.app }}');
    expect(deploy.env).toEqual({ APP: '${{ matrix.app }}', ALLOW_DESTROY: '${{ inputs.allow_destroy == true }}' });
    const runs = deploy.steps.map((step) => step.run ?? '').join('\n');
    // The script covered by plan-check-apply.test.ts; no re-plan inside `cdktf deploy`, no skipped stacks.
    expect(runs).toContain('npx tsx scripts/plan-check-apply.ts --app "$APP" --review-dir "$RUNNER_TEMP/review" "${flags[@]}"');
    expect(runs).toContain('set -euo pipefail');
    expect(runs).not.toMatch(/cdktf deploy|--auto-approve|\|\| *continue|prod/);
  });

  test('every job runs on the primary Node.js line; one job runs the test target on each other supported line, as .ci/run does (scripts/node-lines.json)', () => {
    const primary = NODE_LINES.tested[NODE_LINES.primary]!;
    const others = Object.entries(NODE_LINES.tested)
      .filter(([line]) => line !== NODE_LINES.primary)
      .map(([, version]) => version);
    const versions = files.flatMap((file) =>
      Object.entries(load(file).jobs).map(([name, job]) => [`${file}:${name}`, job.steps.find((step) => step.uses?.startsWith('actions/setup-node@'))?.with?.['node-version']]),
    );
    expect(Object.fromEntries(versions)).toEqual({
      'deploy.yml:deploy': primary,
      'pull-request.yml:affected': primary,
      'pull-request.yml:node-lines': '${{ matrix.node }}',
      'pull-request.yml:plan': primary,
    });
    const lines = load('pull-request.yml').jobs['node-lines']!;
    expect(lines.strategy?.matrix?.node).toEqual(others);
    expect(lines.steps.map((step) => step.run).filter(Boolean)).toEqual(['npm ci', 'npx nx run-many -t test']);
    // The affected job installs the other lines for the e2e test that synthesizes every app on each.
    const affected = load('pull-request.yml').jobs.affected!.steps.map((step) => step.run ?? '');
    expect(affected.indexOf('node scripts/node-lines.mjs install')).toBeGreaterThan(affected.indexOf('npm ci'));
    expect(affected.indexOf('node scripts/node-lines.mjs install')).toBeLessThan(affected.findIndex((run) => run.startsWith('npx nx affected -t')));
    // .ci/run: the primary line first on PATH for everything, then the test target on each other line.
    const ci = readFileSync(join(ROOT, '.ci/run'), 'utf8');
    expect(ci).toContain('lines=$(node scripts/node-lines.mjs install)');
    expect(ci).toContain('export PATH="$primary:$PATH"');
    expect(ci).toContain('PATH="$bin:$PATH" npx nx run-many -t test --output-style=stream || status=$?');
  });

  test('nothing names an environment to decide its protection: it comes from protect_stateful_resources', () => {
    for (const file of files) {
      const text = readFileSync(join(WORKFLOWS, file), 'utf8');
      expect(text, file).not.toMatch(/== *'prod'|prod\b.*(refus|protect)/);
    }
  });
});
