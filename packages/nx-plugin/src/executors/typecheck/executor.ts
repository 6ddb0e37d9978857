import type { ExecutorContext, TaskGraph } from '@nx/devkit';
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join, relative, resolve, sep } from 'node:path';

export interface TypecheckExecutorOptions {
  /** The project's tsconfig.json, relative to the workspace root. */
  tsConfig: string;
}

export interface TypecheckResult {
  success: boolean;
  terminalOutput: string;
}

/**
 * The TypeScript that type-checks: the native compiler of TypeScript 7 (root package.json,
 * `typescript-native`, an npm alias of typescript@7), about four times less CPU than
 * TypeScript 5.9's for this workspace (docs/performance.md). The `typescript` package (5.9)
 * stays for the tools that need its JavaScript API (typescript-eslint, the tests that read the
 * tsconfig programs).
 */
export function nativeTsc(): string {
  return join(dirname(createRequire(import.meta.url).resolve('typescript-native/package.json')), 'bin', 'tsc');
}

/** A diagnostic's first line as tsc prints it without colours: `path(line,col): error TS1234: ...`. */
const DIAGNOSTIC = /^(.+?)\(\d+,\d+\): (?:error|warning) TS\d+: /;

/**
 * `tsc -b <config> <config>...`, once for every config of the run: the compiler builds every
 * config that is out of date, references first, and parses the declarations all of them read
 * (@types/node, zod, cdktf, the providers) once. A config up to date with its build info had no
 * errors: tsc records errors in the build info and builds such a config again.
 *
 * Diagnostics come back by file (workspace-relative); one without a file (a config that cannot
 * be read, an option tsc refuses) is `general`, and so is an exit status without diagnostics.
 */
export function buildConfigs(root: string, configs: readonly string[]): { byFile: Array<{ file: string; text: string }>; general: string[] } {
  const run = spawnSync(process.execPath, [nativeTsc(), '-b', '--pretty', 'false', ...configs.map((config) => resolve(root, config))], { cwd: root, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  const byFile: Array<{ file: string; text: string }> = [];
  const general: string[] = [];
  let last: { file?: string; lines: string[] } | undefined;
  const flush = () => {
    if (!last) return;
    const text = last.lines.join('\n').trimEnd();
    if (last.file === undefined) general.push(text);
    else byFile.push({ file: last.file, text });
    last = undefined;
  };
  for (const line of `${run.stdout ?? ''}${run.stderr ?? ''}`.split('\n')) {
    const match = DIAGNOSTIC.exec(line);
    if (match) {
      flush();
      const file = relative(root, resolve(root, match[1]!));
      last = { file, lines: [line.replace(match[1]!, file)] };
    } else if (/^\s/.test(line) && line.trim() !== '' && last) {
      last.lines.push(line);
    } else if (line.trim() !== '' && !/^Found \d+ errors?/.test(line)) {
      flush();
      last = { lines: [line] };
    }
  }
  flush();
  if (run.error) general.push(`tsc could not be started: ${run.error.message}`);
  else if (run.status !== 0 && byFile.length === 0 && general.length === 0) general.push(`tsc -b exited with status ${run.status ?? run.signal}`);
  return { byFile, general };
}

/** The prefix of the workspace-relative paths of a project's files (every path for the root project). */
function folderOf(projectRoot: string): string {
  return projectRoot === '.' || projectRoot === '' ? '' : `${projectRoot.split('/').join(sep)}${sep}`;
}

/** The result of the task whose project lives in `projectRoot`: the diagnostics of its files, and those of no file. */
function resultFor(projectRoot: string, built: ReturnType<typeof buildConfigs>): TypecheckResult {
  const folder = folderOf(projectRoot);
  const diagnostics = [...built.general, ...built.byFile.filter((entry) => entry.file.startsWith(folder)).map((entry) => entry.text)];
  const errors = diagnostics.length;
  return { success: errors === 0, terminalOutput: errors === 0 ? '' : `${diagnostics.join('\n')}\n\nFound ${errors} error${errors === 1 ? '' : 's'}.\n` };
}

/** A file with an error that lies in no project of the run fails every task: no error is ever dropped. */
function unowned(projectRoots: readonly string[], built: ReturnType<typeof buildConfigs>): ReturnType<typeof buildConfigs> {
  const folders = projectRoots.map(folderOf);
  const orphans = built.byFile.filter((entry) => !folders.some((folder) => entry.file.startsWith(folder)));
  return { byFile: built.byFile, general: [...built.general, ...orphans.map((entry) => entry.text)] };
}

export async function typecheckExecutor(options: TypecheckExecutorOptions, context: ExecutorContext): Promise<{ success: boolean }> {
  const projectRoot = context.projectsConfigurations.projects[context.projectName!]!.root;
  const result = resultFor(projectRoot, unowned([projectRoot], buildConfigs(context.root, [options.tsConfig])));
  if (result.terminalOutput) process.stderr.write(result.terminalOutput);
  return { success: result.success };
}

/** Every typecheck task of one Nx run in one build; a result per task. */
export async function typecheckBatch(
  taskGraph: TaskGraph,
  inputs: Record<string, TypecheckExecutorOptions>,
  _overrides: unknown,
  context: ExecutorContext,
): Promise<Record<string, TypecheckResult>> {
  const taskIds = Object.keys(taskGraph.tasks);
  const projectRootOf = (id: string) => context.projectsConfigurations.projects[taskGraph.tasks[id]!.target.project]!.root;
  const built = unowned(
    taskIds.map(projectRootOf),
    buildConfigs(
      context.root,
      taskIds.map((id) => inputs[id]!.tsConfig),
    ),
  );
  return Object.fromEntries(
    taskIds.map((id) => {
      const result = resultFor(projectRootOf(id), built);
      if (result.terminalOutput) process.stderr.write(`${id}:\n${result.terminalOutput}`);
      return [id, result];
    }),
  );
}
