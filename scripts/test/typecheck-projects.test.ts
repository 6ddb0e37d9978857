import { describe, expect, test } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';

/**
 * The `typecheck` target of every project (issue 23): `tsc -b <project>/tsconfig.json` (through the
 * @cilium-eks/nx-plugin:typecheck executor, which builds one Nx run's projects in one process), where the
 * workspace packages are TypeScript project references, so a dependent reads their emitted
 * declarations instead of checking their sources again. What that must keep: every file checked,
 * the same compiler options, and Nx caching exactly what tsc writes, after what it reads.
 */
const ROOT = join(import.meta.dirname, '../..');
const CACHE = join(ROOT, 'node_modules/.cache/tsc');

interface TargetConfig {
  executor?: string;
  options?: { tsConfig?: string };
  dependsOn?: string[];
  inputs?: unknown[];
  outputs?: string[];
}
const projectRoots = [
  ...['packages', 'apps'].flatMap((parent) =>
    readdirSync(join(ROOT, parent))
      .filter((name) => existsSync(join(ROOT, parent, name, 'project.json')))
      .map((name) => `${parent}/${name}`),
  ),
  'scripts',
];
const projects = projectRoots.map((root) => {
  const json = JSON.parse(readFileSync(join(ROOT, root, 'project.json'), 'utf8')) as { name: string; targets: Record<string, TargetConfig> };
  return { root, name: json.name, typecheck: json.targets.typecheck! };
});
const nxJson = JSON.parse(readFileSync(join(ROOT, 'nx.json'), 'utf8')) as { targetDefaults: Record<string, TargetConfig> };
/** The package name (`@cilium-eks/...`) of each workspace package, by its folder. */
const packageNames = new Map(
  projectRoots
    .filter((root) => existsSync(join(ROOT, root, 'package.json')))
    .map((root) => [(JSON.parse(readFileSync(join(ROOT, root, 'package.json'), 'utf8')) as { name: string }).name, root] as const),
);

function parse(configPath: string): ts.ParsedCommandLine {
  const parsed = ts.getParsedCommandLineOfConfigFile(configPath, undefined, {
    ...ts.sys,
    onUnRecoverableConfigFileDiagnostic: (diagnostic) => {
      throw new Error(ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n'));
    },
  })!;
  expect(parsed.errors.map((error) => ts.flattenDiagnosticMessageText(error.messageText, '\n'))).toEqual([]);
  return parsed;
}
const referencePath = (path: string) => (path.endsWith('.json') ? path : join(path, 'tsconfig.json'));

/** The config a project's typecheck target builds and, recursively, every config it references. */
function configsBuiltBy(configPath: string, seen = new Map<string, ts.ParsedCommandLine>()) {
  if (seen.has(configPath)) return seen;
  const parsed = parse(configPath);
  seen.set(configPath, parsed);
  for (const reference of parsed.projectReferences ?? []) configsBuiltBy(referencePath(reference.path), seen);
  return seen;
}
const entryConfig = (project: (typeof projects)[number]) => {
  // What `tsc -b <tsConfig>` builds; the executor runs TypeScript 7's native `tsc -b` on it.
  expect(project.typecheck.executor).toBe('@cilium-eks/nx-plugin:typecheck');
  expect(project.typecheck.options?.tsConfig).toBe(`${project.root}/tsconfig.json`);
  return join(ROOT, project.typecheck.options!.tsConfig!);
};
const inProject = (root: string, path: string) => !relative(join(ROOT, root), path).startsWith('..');
const built = new Map(projects.map((project) => [project.name, configsBuiltBy(entryConfig(project))]));

describe('typecheck: every file, once per project, same options', () => {
  test("every TypeScript file of the repository is in a program its project's typecheck target builds", () => {
    const tracked = spawnSync('git', ['ls-files', '--cached', '--others', '--exclude-standard', '--', '*.ts'], { cwd: ROOT, encoding: 'utf8' })
      .stdout.trim()
      .split('\n')
      .filter((path) => !path.endsWith('.d.ts'));
    const checked = new Set<string>();
    for (const project of projects) {
      for (const [configPath, parsed] of built.get(project.name)!) {
        // A project checks the files of its own configs; what it references is checked by its owner.
        if (!inProject(project.root, configPath)) continue;
        for (const file of parsed.fileNames) checked.add(relative(ROOT, file));
      }
    }
    expect(tracked.filter((path) => !checked.has(path))).toEqual([]);
    expect(tracked.length).toBeGreaterThan(200);
  });

  test('every program has the compiler options of tsconfig.base.json; only where declarations are written differs', () => {
    const base = parse(join(ROOT, 'tsconfig.base.json')).options;
    const EMIT = new Set(['composite', 'declaration', 'emitDeclarationOnly', 'noEmit', 'rootDir', 'outDir', 'tsBuildInfoFile', 'configFilePath', 'pathsBasePath']);
    const semantics = (options: ts.CompilerOptions) => Object.fromEntries(Object.entries(options).filter(([key]) => !EMIT.has(key)));
    for (const configs of built.values()) {
      for (const [configPath, parsed] of configs) expect({ configPath, ...semantics(parsed.options) }).toEqual({ configPath, ...semantics(base) });
    }
  });

  test('a program imports workspace packages only through project references, so their sources are checked once, by their owner', () => {
    for (const project of projects) {
      for (const [configPath, parsed] of built.get(project.name)!) {
        const referenced = new Set((parsed.projectReferences ?? []).map((reference) => relative(ROOT, dirname(referencePath(reference.path)))));
        const own = relative(ROOT, dirname(configPath));
        for (const file of parsed.fileNames) {
          for (const match of readFileSync(file, 'utf8').matchAll(/(?:from|import\() ?'(@cilium-eks\/[a-z-]+)/g)) {
            const root = packageNames.get(match[1]!);
            expect(root, `${relative(ROOT, file)} imports ${match[1]}, not a workspace package`).toBeDefined();
            if (root === own) continue;
            expect({ file: relative(ROOT, file), imports: root, referenced: referenced.has(root!) }).toEqual({ file: relative(ROOT, file), imports: root, referenced: true });
          }
        }
      }
    }
  });
});

describe('typecheck: what Nx caches is what tsc writes, after what it reads', () => {
  const defaults = nxJson.targetDefaults.typecheck!;

  test('a project waits for the typecheck of the packages it depends on, which writes the declarations it reads', () => {
    for (const project of projects) expect(project.typecheck.dependsOn ?? defaults.dependsOn).toEqual(['^typecheck']);
  });

  test("each program writes its build info and declarations only inside its project's cached output folder", () => {
    for (const project of projects) {
      const outputs = project.typecheck.outputs ?? defaults.outputs;
      expect(outputs).toEqual(['{workspaceRoot}/node_modules/.cache/tsc/{projectName}']);
      const folder = join(CACHE, project.name);
      for (const [configPath, parsed] of built.get(project.name)!) {
        if (!inProject(project.root, configPath)) continue;
        const written = [parsed.options.tsBuildInfoFile, parsed.options.composite ? parsed.options.outDir : undefined].filter((path) => path !== undefined);
        expect(written.length).toBeGreaterThan(0);
        for (const path of written) expect(relative(folder, resolve(path)).startsWith('..'), `${relative(ROOT, configPath)} writes ${path}`).toBe(false);
        // A program that does not emit declarations writes nothing but its build info.
        if (!parsed.options.composite) expect(parsed.options.noEmit).toBe(true);
      }
    }
  });

  test('the declarations of the packages a project reads, and the executor that checks it, are inputs of its typecheck', () => {
    for (const project of projects) {
      expect(project.typecheck.inputs ?? defaults.inputs).toEqual(
        expect.arrayContaining(['default', '^production', 'typecheckExecutor', { dependentTasksOutputFiles: '**/*.d.ts', transitive: true }]),
      );
    }
  });
});
