/**
 * Regenerates the docs that are derived from code: the compatibility matrix, the policy
 * rules, the instance types, one stack diagram per app (synthesized in this process exactly as its main.ts does), the cost
 * block of each docs/environments/<app>.md (estimated from that synthesized app) and the cdktf
 * command blocks of hand-written pages (scripts/lib/commands.ts).
 */
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compatibilityPage, instanceTypesPage, policiesPage, stackDiagramPage, withGeneratedBlocks } from './lib/docs-pages.js';
import { estimateCost, renderMarkdown, withCostSection } from '@cilium-eks/cost-estimate';
import { EKS_CALENDAR } from '@cilium-eks/cluster-factory/lifecycle';
import { APPS } from './lib/apps.js';
import { commandBlockIds, withCommandBlocks } from './lib/commands.js';

const ROOT = join(import.meta.dirname, '..');

/** Synthesizes every app into a temporary directory (in this process, as its main.ts would); returns app name -> cdktf.out. */
export function synthesizeApps(): Map<string, string> {
  const work = mkdtempSync(join(tmpdir(), 'docs-'));
  return new Map(
    Object.keys(APPS)
      .sort()
      .map((app) => {
        const outdir = join(work, app);
        const result = APPS[app]!.synth({ outdir });
        if (result.status !== 0) throw new Error(`${app} failed to synthesize:\n${result.stderr}`);
        return [app, outdir];
      }),
  );
}

/** Every generated page: path relative to the repository -> content, from each app's synthesized output. */
export function generatedDocs(outdirs: ReadonlyMap<string, string> = synthesizeApps()): Map<string, string> {
  const pages = new Map<string, string>([
    ['docs/COMPATIBILITY.md', compatibilityPage()],
    ['docs/POLICIES.md', policiesPage()],
    ['docs/INSTANCE_TYPES.md', instanceTypesPage()],
  ]);
  for (const [app, outdir] of outdirs) {
    pages.set(`docs/diagrams/${app}.md`, stackDiagramPage(app, outdir));
    const environmentPage = `docs/environments/${app}.md`;
    // Priced on the calendar's own date, so that the page changes with the data, not with the day it is generated.
    const estimate = estimateCost(outdir, app, { date: EKS_CALENDAR.retrieved });
    pages.set(environmentPage, withCostSection(readFileSync(join(ROOT, environmentPage), 'utf8'), renderMarkdown(estimate), environmentPage));
  }
  // Hand-written pages carry generated command blocks (scripts/lib/commands.ts) and tables (docs-pages.ts GENERATED_BLOCKS) between markers.
  for (const path of handWrittenPages()) {
    const page = pages.get(path) ?? readFileSync(join(ROOT, path), 'utf8');
    const generated = withGeneratedBlocks(commandBlockIds(page).length > 0 ? withCommandBlocks(page, path) : page, path);
    if (generated !== page || pages.has(path)) pages.set(path, generated);
  }
  return pages;
}

/** README.md and every Markdown page under docs/ (paths relative to the repository). */
export function handWrittenPages(): string[] {
  const walk = (dir: string): string[] =>
    readdirSync(join(ROOT, dir), { withFileTypes: true }).flatMap((entry) =>
      entry.isDirectory() ? walk(`${dir}/${entry.name}`) : entry.name.endsWith('.md') ? [`${dir}/${entry.name}`] : [],
    );
  return ['README.md', ...walk('docs')].sort();
}

if (process.argv[1] === import.meta.filename) {
  mkdirSync(join(ROOT, 'docs/diagrams'), { recursive: true });
  for (const [path, content] of generatedDocs()) {
    writeFileSync(join(ROOT, path), content);
    process.stdout.write(`wrote ${path}\n`);
  }
}
