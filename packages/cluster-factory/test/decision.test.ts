import { describe, expect, test } from 'vitest';
import { decideNetworking, FARGATE_DISABLES_CILIUM_WARNING } from '../src/networking/decision.js';

const base = { ciliumMode: 'eni' as const, enableKubeProxyReplacement: true, enableHubble: true };

describe('decideNetworking: cilium_enabled = enable_cilium && !enable_fargate', () => {
  test.each([
    { scenario: 'Cilium only', enableCilium: true, enableFargate: false, cni: 'cilium', ciliumEnabled: true, warnings: [] },
    { scenario: 'both requested', enableCilium: true, enableFargate: true, cni: 'aws-vpc-cni', ciliumEnabled: false, warnings: [FARGATE_DISABLES_CILIUM_WARNING] },
    { scenario: 'Fargate only', enableCilium: false, enableFargate: true, cni: 'aws-vpc-cni', ciliumEnabled: false, warnings: [] },
    { scenario: 'neither', enableCilium: false, enableFargate: false, cni: 'aws-vpc-cni', ciliumEnabled: false, warnings: [] },
  ])('$scenario -> $cni', ({ enableCilium, enableFargate, cni, ciliumEnabled, warnings }) => {
    const decision = decideNetworking({ ...base, enableCilium, enableFargate });
    expect(decision.cni).toBe(cni);
    expect(decision.ciliumEnabled).toBe(ciliumEnabled);
    expect(decision.warnings).toEqual(warnings);
  });

  test('the warning says why and what to change', () => {
    expect(FARGATE_DISABLES_CILIUM_WARNING).toBe(
      'enable_cilium is true but enable_fargate is also true: Cilium is disabled and the AWS VPC CNI is used for all pods, ' +
        'because Fargate cannot run DaemonSets or load eBPF programs. Set enable_fargate: false to run Cilium.',
    );
  });

  test('Cilium settings pass through only when Cilium runs', () => {
    expect(decideNetworking({ ...base, ciliumMode: 'overlay', enableCilium: true, enableFargate: false })).toEqual({
      cni: 'cilium',
      ciliumEnabled: true,
      ciliumMode: 'overlay',
      kubeProxyReplacement: true,
      hubble: true,
      warnings: [],
    });
    expect(decideNetworking({ ...base, enableCilium: true, enableFargate: true })).toMatchObject({ kubeProxyReplacement: false, hubble: false });
  });
});
