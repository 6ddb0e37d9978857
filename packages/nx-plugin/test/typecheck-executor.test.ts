import { describe, expect, test } from 'vitest';
import { mkdtempSync, readdirSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ExecutorContext, TaskGraph } from '@nx/devkit';
import { typecheckBatch, type TypecheckExecutorOptions } from '../src/executors/typecheck/executor.js';

/**
 * A two-project workspace checked by the real TypeScript: `lib` (composite, emits declarations)
 * and `app`, which references it and imports it. One batch builds both; each task reports only
 * the errors of its own files, and an error is reported again on the next build (a cached
 * build info never hides it).
 */
function workspace(appSource: string, libSource = 'export const answer: number = 42;\n') {
  const root = mkdtempSync(join(tmpdir(), 'typecheck-executor-'));
  const options = { strict: true, target: 'ES2022', module: 'ESNext', moduleResolution: 'Bundler', lib: ['ES2022'], types: [], skipLibCheck: true };
  const write = (path: string, content: string) => {
    mkdirSync(join(root, path, '..'), { recursive: true });
    writeFileSync(join(root, path), content);
  };
  write('lib/index.ts', libSource);
  write(
    'lib/tsconfig.json',
    JSON.stringify({ compilerOptions: { ...options, composite: true, emitDeclarationOnly: true, outDir: '../out/lib/dts', tsBuildInfoFile: '../out/lib/lib.tsbuildinfo' }, include: ['*.ts'] }),
  );
  write('app/main.ts', appSource);
  write(
    'app/tsconfig.json',
    JSON.stringify({ compilerOptions: { ...options, noEmit: true, incremental: true, tsBuildInfoFile: '../out/app/app.tsbuildinfo' }, include: ['*.ts'], references: [{ path: '../lib' }] }),
  );
  const task = (project: string) => ({ id: `${project}:typecheck`, target: { project, target: 'typecheck' }, overrides: {}, outputs: [], parallelism: true });
  const taskGraph = { tasks: { 'lib:typecheck': task('lib'), 'app:typecheck': task('app') }, dependencies: { 'lib:typecheck': [], 'app:typecheck': ['lib:typecheck'] }, roots: ['lib:typecheck'] } as unknown as TaskGraph;
  const inputs: Record<string, TypecheckExecutorOptions> = { 'lib:typecheck': { tsConfig: 'lib/tsconfig.json' }, 'app:typecheck': { tsConfig: 'app/tsconfig.json' } };
  const context = { root, projectsConfigurations: { version: 2, projects: { lib: { root: 'lib' }, app: { root: 'app' } } } } as unknown as ExecutorContext;
  return { root, run: () => typecheckBatch(taskGraph, inputs, {}, context) };
}

describe('typecheck executor (one solution build for the tasks of a run)', () => {
  test('a clean build succeeds for every task and writes the declarations the dependent reads', async () => {
    const { root, run } = workspace("import { answer } from '../lib/index.js';\nexport const doubled: number = answer * 2;\n");
    expect(await run()).toEqual({ 'lib:typecheck': { success: true, terminalOutput: '' }, 'app:typecheck': { success: true, terminalOutput: '' } });
    expect(readdirSync(join(root, 'out/lib/dts'))).toEqual(['index.d.ts']);
  });

  test("an error fails only the task whose files hold it, with tsc's message, and again on the next build", async () => {
    const { run } = workspace("import { answer } from '../lib/index.js';\nexport const text: string = answer;\n");
    const expected = {
      'lib:typecheck': { success: true, terminalOutput: '' },
      'app:typecheck': { success: false, terminalOutput: "app/main.ts(2,14): error TS2322: Type 'number' is not assignable to type 'string'.\n\nFound 1 error.\n" },
    };
    expect(await run()).toEqual(expected);
    expect(await run()).toEqual(expected);
  });

  test('a dependent reads the declarations: a change to the type a package exports fails its dependents', async () => {
    const { run } = workspace("import { answer } from '../lib/index.js';\nexport const doubled: number = answer * 2;\n", "export const answer: string = '42';\n");
    const results = await run();
    expect(results['lib:typecheck']!.success).toBe(true);
    expect(results['app:typecheck']!.terminalOutput).toContain("app/main.ts(2,32): error TS2362: The left-hand side of an arithmetic operation must be of type 'any', 'number', 'bigint' or an enum type.");
  });

  test('an error in a file of no project of the run fails every task: no error is dropped', async () => {
    const { root, run } = workspace("import { answer } from '../lib/index.js';\nimport { factor } from '../common/value.js';\nexport const doubled: number = answer * factor;\n");
    mkdirSync(join(root, 'common'));
    writeFileSync(join(root, 'common/value.ts'), "export const factor: number = 'two';\n");
    const message = "common/value.ts(1,14): error TS2322: Type 'string' is not assignable to type 'number'.\n\nFound 1 error.\n";
    expect(await run()).toEqual({ 'lib:typecheck': { success: false, terminalOutput: message }, 'app:typecheck': { success: false, terminalOutput: message } });
  });

  test('a config tsc cannot use fails the tasks with its message', async () => {
    const { root, run } = workspace("export const fine: number = 1;\n");
    writeFileSync(join(root, 'app/tsconfig.json'), JSON.stringify({ compilerOptions: { strict: true, noSuchOption: true }, include: ['*.ts'] }));
    const results = await run();
    expect(results['app:typecheck']!.success).toBe(false);
    expect(results['app:typecheck']!.terminalOutput).toMatch(/error TS5023: Unknown compiler option 'noSuchOption'\./);
  });
});

