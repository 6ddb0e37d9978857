import { crdSchemaProblems } from './crd-schema.js';

/** Any Kubernetes object; @kubernetes-models instances also carry `validate()`. */
export interface KubernetesObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata?: { readonly name?: string; readonly namespace?: string };
  validate?(): void;
}

/**
 * Every problem of every object, at once: the @kubernetes-models schema (types, enums,
 * required fields) and, for kinds with a committed upstream CRD, that schema with unknown
 * fields reported (the API server would prune them silently).
 */
export function kubernetesObjectProblems(objects: readonly KubernetesObject[]): string[] {
  return objects.flatMap((object) => {
    const where = `${object.kind}/${object.metadata?.name ?? '(unnamed)'}`;
    const problems: string[] = object.metadata?.name ? [] : [`${where}: metadata.name is required`];
    try {
      object.validate?.();
    } catch (error) {
      problems.push(`${where}: ${(error as Error).message}`);
    }
    for (const problem of crdSchemaProblems(object) ?? []) problems.push(`${where}: ${problem}`);
    return problems;
  });
}

/** Throws one error listing every problem, naming `context` (e.g. the chart). */
export function validateKubernetesObjects(objects: readonly KubernetesObject[], context: string): void {
  const problems = kubernetesObjectProblems(objects);
  if (problems.length > 0) throw new Error(`${context}: objects the pinned upstream schemas reject:\n  ${problems.join('\n  ')}`);
}
