import { describe, expect, test } from 'vitest';
import { celRuleFindings } from '../src/kubernetes/cel-rules.js';
import { crdRuleFindings, crdSchemaProblems } from '../src/kubernetes/crd-schema.js';
import { karpenterNodeClass, karpenterNodePool } from '../src/karpenter/node-pools.js';
import { GENERAL_POOL as POOL } from './fixtures.js';

const DATAPATH = { ciliumEnabled: true, ciliumEni: true };
/** The parts of a NodePool the tests change. */
interface NodePoolJson {
  apiVersion: string;
  kind: string;
  spec: { template: { metadata: { labels: Record<string, string> }; spec: { requirements: Array<{ key: string; operator: string; values: string[] }> } } };
}
/** A built object as plain JSON, changed as a test needs (what reaches the API server). */
const plain = <T>(object: unknown): T => JSON.parse(JSON.stringify(object)) as T;

describe('CEL rules of the pinned Karpenter CRDs (x-kubernetes-validations)', () => {
  test('the project\'s NodePool and EC2NodeClass hold every rule that can be evaluated on create; transition rules are named as not checked', () => {
    const pool = crdRuleFindings(karpenterNodePool(POOL, DATAPATH))!;
    expect(pool.violations).toEqual([]);
    expect(pool.evaluated).toBeGreaterThan(5);
    expect(pool.notChecked).toEqual([
      '(root).spec: has(self.replicas) == has(oldSelf.replicas) (a transition rule: it compares with the object already in the cluster)',
      'spec.template.spec.nodeClassRef: self.group == oldSelf.group (a transition rule: it compares with the object already in the cluster)',
      'spec.template.spec.nodeClassRef: self.kind == oldSelf.kind (a transition rule: it compares with the object already in the cluster)',
    ].map((entry) => entry.replace('(root).spec', 'spec')));
    const nodeClass = crdRuleFindings(karpenterNodeClass({ clusterName: 'unit', nodeRoleName: 'unit-karpenter-node', amiAlias: 'al2023@v20260903', maxPods: 29, ciliumEni: true }))!;
    expect(nodeClass).toMatchObject({ violations: [], notChecked: [] });
    expect(nodeClass.evaluated).toBeGreaterThan(10);
  });

  test.each([
    ['an In requirement without values', (pool: NodePoolJson) => (pool.spec.template.spec.requirements[0]!.values = []), "spec.template.spec.requirements: requirements with operator 'In' must have a value defined"],
    ['a label in the karpenter.sh domain', (pool: NodePoolJson) => (pool.spec.template.metadata.labels['karpenter.sh/custom'] = 'x'), 'spec.template.metadata.labels: label domain "karpenter.sh" is restricted'],
    ['a Gt requirement on a negative number', (pool: NodePoolJson) => pool.spec.template.spec.requirements.push({ key: 'karpenter.k8s.aws/instance-cpu', operator: 'Gt', values: ['-1'] }), "spec.template.spec.requirements: requirements operator 'Gt', 'Lt', 'Gte', or 'Lte' must have a single positive integer value"],
  ])('a NodePool with %s is refused with the CRD\'s message', (_name, change, message) => {
    const pool = plain<NodePoolJson>(karpenterNodePool(POOL, DATAPATH));
    change(pool);
    expect(crdRuleFindings(pool)!.violations).toEqual([message]);
    expect(crdSchemaProblems(pool)).toContain(message);
  });

  test('an EC2NodeClass alias of an unknown AMI family is refused with the CRD\'s message', () => {
    const nodeClass = plain<{ apiVersion: string; kind: string; spec: { amiSelectorTerms: Array<{ alias: string }> } }>(karpenterNodeClass({ clusterName: 'unit', nodeRoleName: 'r', amiAlias: 'al2023@v20260903' }));
    nodeClass.spec.amiSelectorTerms = [{ alias: 'ubuntu@latest' }];
    expect(crdRuleFindings(nodeClass)!.violations).toEqual(["spec.amiSelectorTerms[0].alias: family is not supported, must be one of the following: 'al2', 'al2023', 'bottlerocket', 'windows2019', 'windows2022', 'windows2025'"]);
  });

  test('a rule the evaluator cannot run is reported as not checked, never as passed', () => {
    const schema = { type: 'object', 'x-kubernetes-validations': [{ rule: 'self.name.unknownFunction()', message: 'never' }, { rule: 'self.name != ""' }] };
    const findings = celRuleFindings({ name: 'x' }, schema);
    expect(findings.evaluated).toBe(1);
    expect(findings.violations).toEqual([]);
    expect(findings.notChecked).toHaveLength(1);
    expect(findings.notChecked[0]).toMatch(/^\(root\): self\.name\.unknownFunction\(\) \(.+\)$/);
  });

  test('integers are CEL ints: a comparison of two schema integers holds or breaks as Kubernetes decides', () => {
    const schema = { type: 'object', properties: { high: { type: 'integer' }, low: { type: 'integer' } }, 'x-kubernetes-validations': [{ rule: 'self.high > self.low', message: 'high must be above low' }] };
    expect(celRuleFindings({ high: 85, low: 80 }, schema).violations).toEqual([]);
    expect(celRuleFindings({ high: 80, low: 85 }, schema).violations).toEqual(['(root): high must be above low']);
  });
});
