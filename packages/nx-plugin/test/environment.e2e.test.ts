import { describe, expect, test } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { parse } from 'yaml';
import { checkStacks, PLUGIN_MIRROR_VARIABLE } from '@cilium-eks/terraform-harness';
import { estimateCost } from '@cilium-eks/cost-estimate';
import { expectedMatrix, workspaceEnvironments } from './free-environment.js';

const ROOT = join(import.meta.dirname, '../../..');
const mirror = process.env[PLUGIN_MIRROR_VARIABLE] || undefined;
/** A name and CIDR no environment uses yet: this workspace may hold generated environments. */
const ENVIRONMENTS = workspaceEnvironments(ROOT);
const NAME = ENVIRONMENTS.freeName('staging');
const [CIDR] = ENVIRONMENTS.freeCidrs(1) as [string];

/**
 * The command users run, in a temporary copy of the workspace (its files as committed, this
 * checkout's node_modules): the real Nx CLI runs the generator and its `npm run docs`; then the
 * new app synthesizes through its entry point, its own test target passes, the real terraform
 * validates and plans it offline, and the cost estimate prices it.
 */
describe.skipIf(!mirror && !process.env.CI)('npx nx g @cilium-eks/nx-plugin:environment in a temporary workspace', () => {
  test(`${NAME} from sandbox: generated, synthesized, tested, validated and priced`, async () => {
    const work = mkdtempSync(join(tmpdir(), 'nx-generator-'));
    const workspace = join(work, 'workspace');
    for (const file of execFileSync('git', ['ls-files', '-co', '--exclude-standard'], { cwd: ROOT, encoding: 'utf8' }).split('\n').filter(Boolean)) {
      if (!existsSync(join(ROOT, file))) continue;
      mkdirSync(dirname(join(workspace, file)), { recursive: true });
      cpSync(join(ROOT, file), join(workspace, file));
    }
    symlinkSync(join(ROOT, 'node_modules'), join(workspace, 'node_modules'));
    // Nx's cache and workspace data stay in the temporary workspace, never in the shared node_modules.
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      NX_DAEMON: 'false',
      NX_NO_CLOUD: 'true',
      NX_TUI: 'false',
      FORCE_COLOR: '0',
      NO_COLOR: '1',
      NX_CACHE_DIRECTORY: join(work, 'nx-cache'),
      NX_WORKSPACE_DATA_DIRECTORY: join(work, 'nx-data'),
    };
    delete env.CLUSTER_FACTORY_CONFIG;
    delete env.CLUSTER_FACTORY_OUTDIR;
    delete env.CDKTF_OUTDIR;

    const matrix = (parse(readFileSync(join(ROOT, '.github/workflows/deploy.yml'), 'utf8')) as { jobs: { deploy: { strategy: { matrix: { app: string[] } } } } }).jobs.deploy.strategy.matrix.app;
    const nx = spawnSync(process.execPath, [join(ROOT, 'node_modules/nx/dist/bin/nx.js'), 'g', '@cilium-eks/nx-plugin:environment', NAME, '--from=sandbox', `--vpc-cidr=${CIDR}`, '--no-interactive'], {
      cwd: workspace,
      env,
      encoding: 'utf8',
    });
    expect(nx.status, nx.stdout + nx.stderr).toBe(0);
    expect(nx.stdout).toContain(`CREATE environments/${NAME}.yaml`);
    expect(nx.stdout).toContain(`wrote docs/diagrams/${NAME}.md`);
    const read = (file: string) => readFileSync(join(workspace, file), 'utf8');
    expect(parse(read(`environments/${NAME}.yaml`))).toMatchObject({ name: NAME, vpc_cidr: CIDR, state: { bootstrap: 'existing' } });
    expect(read('workspace-apps.ts')).toContain(`workspaceApp('${NAME}', `);
    expect(read('.github/workflows/deploy.yml')).toContain(`app: [${expectedMatrix(matrix, NAME, false, ENVIRONMENTS.protectedByName).join(', ')}]`);
    // `npm run docs` filled the page: its deploy commands and its cost.
    const page = read(`docs/environments/${NAME}.md`);
    expect(page).toContain(`npx cdktf deploy '${NAME}-*'`);
    expect(page).toContain(`/month** for \`${NAME}\``);
    expect(existsSync(join(workspace, `docs/diagrams/${NAME}.md`))).toBe(true);

    // Synthesized through its own entry point, as `nx run <name>:synth` runs it.
    const outdir = join(work, `${NAME}.out`);
    const synth = spawnSync(process.execPath, ['--import', 'tsx', 'main.ts'], { cwd: join(workspace, `apps/${NAME}`), env: { ...env, CLUSTER_FACTORY_OUTDIR: outdir }, encoding: 'utf8' });
    expect(synth.status, synth.stderr).toBe(0);
    const manifest = JSON.parse(readFileSync(join(outdir, 'manifest.json'), 'utf8')) as { stacks: Record<string, unknown> };
    expect(Object.keys(manifest.stacks).sort()).toEqual(['cluster', 'cni', 'compute', 'network', 'platform'].map((kind) => `${NAME}-${kind}`));

    // Its test target's tests (the JSON report left off: it would land in the shared node_modules).
    const vitest = spawnSync(process.execPath, [join(ROOT, 'node_modules/vitest/vitest.mjs'), 'run', '--reporter=default'], { cwd: join(workspace, `apps/${NAME}`), env, encoding: 'utf8' });
    expect(vitest.status, vitest.stdout + vitest.stderr).toBe(0);
    expect(vitest.stdout).toMatch(/Tests\s+1 passed/);

    // Validated and planned offline with the real terraform (the Kubernetes-side stacks need providers the mirror lacks).
    const reports = await checkStacks({ outdir, mirror });
    expect(reports.filter((report) => report.status === 'failed').map((report) => `${report.stack}: ${report.detail}`)).toEqual([]);
    expect(reports.filter((report) => report.status === 'planned').map((report) => report.stack)).toEqual(['network', 'cluster', 'compute'].map((kind) => `${NAME}-${kind}`));

    // Priced: every item of the table, nothing unpriced.
    const estimate = estimateCost(outdir, NAME);
    expect(estimate.unpriced).toEqual([]);
    expect(estimate.totalUsd).toBeGreaterThan(100);
    expect(estimate.lines.map((line) => line.stack)).toContain(`${NAME}-compute`);
  }, 600_000);
});
