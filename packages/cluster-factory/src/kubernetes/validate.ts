import { crdSchemaProblems } from './crd-schema.js';

/** Any Kubernetes object; @kubernetes-models instances also carry `validate()`. */
export interface KubernetesObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata?: { readonly name?: string; readonly namespace?: string };
  validate?(): void;
}

/**
 * Every problem of every object, at once: for kinds with a committed upstream CRD, that schema
 * (types, enums, required fields, unknown fields: the API server would prune them silently)
 * and its CEL rules; for other kinds the @kubernetes-models schema.
 */
export function kubernetesObjectProblems(objects: readonly KubernetesObject[]): string[] {
  return objects.flatMap((object) => {
    const where = `${object.kind}/${object.metadata?.name ?? '(unnamed)'}`;
    const problems: string[] = object.metadata?.name ? [] : [`${where}: metadata.name is required`];
    const crdProblems = crdSchemaProblems(object);
    // A committed CRD is of the pinned version; the model may be older (@kubernetes-models/karpenter
    // is v1.12.1's, without the Gte and Lte operators v1.14.1 accepts), so the CRD decides.
    if (crdProblems === undefined) {
      try {
        object.validate?.();
      } catch (error) {
        problems.push(`${where}: ${(error as Error).message}`);
      }
    }
    for (const problem of crdProblems ?? []) problems.push(`${where}: ${problem}`);
    return problems;
  });
}

/** Throws one error listing every problem, naming `context` (e.g. the chart). */
export function validateKubernetesObjects(objects: readonly KubernetesObject[], context: string): void {
  const problems = kubernetesObjectProblems(objects);
  if (problems.length > 0) throw new Error(`${context}: objects the pinned upstream schemas reject:\n  ${problems.join('\n  ')}`);
}
