import type { ExecutorContext, TaskGraph } from '@nx/devkit';
import { join, relative, resolve, sep } from 'node:path';
import ts from 'typescript';

export interface TypecheckExecutorOptions {
  /** The project's tsconfig.json, relative to the workspace root. */
  tsConfig: string;
}

export interface TypecheckResult {
  success: boolean;
  terminalOutput: string;
}

/**
 * What `tsc -b <config> <config>...` does, in this process: TypeScript's solution builder builds
 * every config that is out of date, references first. The builder keeps one cache of parsed
 * files for the whole build and a file is bound once, so the declarations every project reads
 * (@types/node, zod, cdktf, the providers) are parsed once, not once per project.
 *
 * Each built config's diagnostics are kept apart, so each Nx task reports (and caches) only its
 * own. A config up to date with its build info had no errors: tsc records errors in the build
 * info and builds such a config again.
 */
export function buildConfigs(root: string, configs: readonly string[]): { byConfig: Map<string, string[]>; general: string[] } {
  const byConfig = new Map<string, string[]>();
  const general: string[] = [];
  let current: string | undefined;
  const format: ts.FormatDiagnosticsHost = { getCanonicalFileName: (name) => name, getCurrentDirectory: () => root, getNewLine: () => '\n' };
  const report = (diagnostic: ts.Diagnostic) => {
    const text = ts.formatDiagnostic(diagnostic, format).trimEnd();
    if (current === undefined) general.push(text);
    else byConfig.get(current)!.push(text);
  };
  const host = ts.createSolutionBuilderHost(ts.sys, undefined, report, () => undefined);
  const builder = ts.createSolutionBuilder(host, configs.map((config) => resolve(root, config)), {});
  for (let project = builder.getNextInvalidatedProject(); project !== undefined; project = builder.getNextInvalidatedProject()) {
    current = resolve(root, project.project);
    if (!byConfig.has(current)) byConfig.set(current, []);
    const status = project.done();
    if (status !== ts.ExitStatus.Success && byConfig.get(current)!.length === 0) byConfig.get(current)!.push(`${relative(root, current)}: tsc exit status ${ts.ExitStatus[status]}`);
    current = undefined;
  }
  return { byConfig, general };
}

/** The result of the task whose project lives in `projectRoot`: the diagnostics of every config built inside it. */
function resultFor(root: string, projectRoot: string, built: ReturnType<typeof buildConfigs>): TypecheckResult {
  const folder = join(root, projectRoot) + sep;
  const diagnostics = [...built.general];
  for (const [config, messages] of built.byConfig) if (config.startsWith(folder)) diagnostics.push(...messages);
  const errors = diagnostics.length;
  return { success: errors === 0, terminalOutput: errors === 0 ? '' : `${diagnostics.join('\n')}\n\nFound ${errors} error${errors === 1 ? '' : 's'}.\n` };
}

export async function typecheckExecutor(options: TypecheckExecutorOptions, context: ExecutorContext): Promise<{ success: boolean }> {
  const projectRoot = context.projectsConfigurations.projects[context.projectName!]!.root;
  const result = resultFor(context.root, projectRoot, buildConfigs(context.root, [options.tsConfig]));
  if (result.terminalOutput) process.stderr.write(result.terminalOutput);
  return { success: result.success };
}

/** Every typecheck task of one Nx run in one solution build; a result per task. */
export async function typecheckBatch(
  taskGraph: TaskGraph,
  inputs: Record<string, TypecheckExecutorOptions>,
  _overrides: unknown,
  context: ExecutorContext,
): Promise<Record<string, TypecheckResult>> {
  const taskIds = Object.keys(taskGraph.tasks);
  const built = buildConfigs(
    context.root,
    taskIds.map((id) => inputs[id]!.tsConfig),
  );
  return Object.fromEntries(
    taskIds.map((id) => {
      const result = resultFor(context.root, context.projectsConfigurations.projects[taskGraph.tasks[id]!.target.project]!.root, built);
      if (result.terminalOutput) process.stderr.write(`${id}:\n${result.terminalOutput}`);
      return [id, result];
    }),
  );
}
