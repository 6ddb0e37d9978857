import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Construct } from 'constructs';
import { AssetType, TerraformAsset } from 'cdktf';
import { stringify } from 'yaml';
import { validateKubernetesObjects, type KubernetesObject } from './validate.js';

export interface ManifestChartProps {
  /** Chart name (and Helm release name by convention). */
  readonly name: string;
  /** One sentence for Chart.yaml. */
  readonly description: string;
  /**
   * The objects, in apply order within the chart (Helm sorts by kind first). Validated at
   * synth against their @kubernetes-models type and, where committed, the upstream CRD.
   */
  readonly objects: readonly KubernetesObject[];
}

const staged: string[] = [];
process.once('exit', () => {
  for (const dir of staged) rmSync(dir, { recursive: true, force: true });
});

/** The plain-YAML document of one object: what reaches the cluster, byte for byte. */
export function manifestYaml(object: KubernetesObject): string {
  // toJSON drops the models' undefined fields; key order stays as built (apiVersion, kind, metadata, spec).
  return stringify(JSON.parse(JSON.stringify(object)), { lineWidth: 0 });
}

/**
 * Kubernetes objects built and validated in TypeScript, shipped as a Helm chart whose
 * templates are plain YAML (no Go templating): the synthesized stack's asset folder holds
 * exactly what reaches the cluster, so a reviewer sees it in the synth diff. Helm is only the
 * transport: it applies CRs at apply time, while `kubernetes_manifest` would need the CRDs
 * on a live API server at plan time.
 */
export class ManifestChart extends Construct {
  /** Chart path for a helm_release (inside the synthesized stack). */
  readonly path: string;

  constructor(scope: Construct, id: string, props: ManifestChartProps) {
    super(scope, id);
    validateKubernetesObjects(props.objects, `${props.name} chart`);
    const dir = mkdtempSync(join(tmpdir(), 'manifest-chart-'));
    staged.push(dir);
    mkdirSync(join(dir, 'templates'));
    writeFileSync(
      join(dir, 'Chart.yaml'),
      stringify({ apiVersion: 'v2', name: props.name, description: props.description, type: 'application', version: '1.0.0' }),
    );
    props.objects.forEach((object, index) => {
      const yaml = manifestYaml(object);
      // Helm renders every file under templates/: a literal "{{" would be read as an action.
      if (yaml.includes('{{')) throw new Error(`${props.name} chart: ${object.kind}/${object.metadata!.name} contains "{{", which Helm would render as a template`);
      const file = `${String(index + 1).padStart(2, '0')}-${object.kind.toLowerCase()}-${object.metadata!.name}.yaml`;
      writeFileSync(join(dir, 'templates', file), yaml);
    });
    this.path = new TerraformAsset(this, 'chart', { path: dir, type: AssetType.DIRECTORY }).path;
  }
}
