// One Nx start-up and one project graph for many `nx show projects --affected` answers
// (scripts/test/nx-graph.e2e.test.ts). Does what that command's handler
// (nx/src/command-line/show/projects.js) does, with Nx's own functions: the project graph,
// the files' changes, filterAffected, then the --type and --with-target filters; but builds the
// graph once, where each CLI run (and each handler call) builds it again, about a second of CPU.
// argv[2]: a JSON array of { files: [...], type?, withTarget?: [...] }; prints a JSON array of
// the project names each query selects. The test asks the CLI itself a sample of the queries.
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';

const nx = join(dirname(createRequire(import.meta.url).resolve('nx/package.json')), 'dist/src');
const load = (path) => import(pathToFileURL(join(nx, path)).href);
const { createProjectGraphAsync } = await load('project-graph/project-graph.js');
const { readNxJson } = await load('config/nx-json.js');
const { filterAffected } = await load('project-graph/affected/affected-project-graph.js');
const { calculateFileChanges } = await load('project-graph/file-utils.js');
const { splitArgsIntoNxArgsAndOverrides } = await load('utils/command-line-utils.js');

async function main() {
  const queries = JSON.parse(process.argv[2]);
  const graph = await createProjectGraphAsync();
  const nxJson = readNxJson();
  const answers = [];
  for (const query of queries) {
    const { nxArgs } = splitArgsIntoNxArgsAndOverrides({ affected: true, files: [...query.files] }, 'affected', { printWarnings: false }, nxJson);
    const affected = await filterAffected(graph, calculateFileChanges(query.files, nxArgs), nxJson);
    answers.push(
      Object.entries(affected.nodes)
        .filter(([, node]) => !query.type || node.type === query.type)
        .filter(([, node]) => !query.withTarget || query.withTarget.some((target) => node.data.targets?.[target]))
        .map(([name]) => name),
    );
  }
  process.stdout.write(`${JSON.stringify(answers)}\n`);
}

main().catch((error) => {
  process.stderr.write(`${error.stack ?? error}\n`);
  process.exit(1);
});
