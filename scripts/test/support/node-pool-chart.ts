import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';

/**
 * The objects of the karpenter-node-pools chart (the EC2NodeClass and every NodePool) exactly as a
 * synthesized platform stack ships them to the cluster, in file order.
 */
export function nodePoolChartObjects<T extends { kind: string }>(outdir: string, stack: string): T[] {
  const assets = join(outdir, 'stacks', stack, 'assets');
  const chart = readdirSync(assets).find((dir) => dir.startsWith('karpenter-node-pools-chart'))!;
  const templates = join(assets, chart, readdirSync(join(assets, chart))[0]!, 'templates');
  return readdirSync(templates).flatMap((name) => parseAllDocuments(readFileSync(join(templates, name), 'utf8')).map((document) => document.toJS() as T));
}
