import { describe, expect, test } from 'vitest';
import { cidrSubnet, cidrsOverlap, parseIpv4Cidr } from '../src/lib/cidr.js';
import { planSubnets } from '../src/lib/subnet-plan.js';

describe('CIDR maths', () => {
  test('cidrSubnet matches terraform cidrsubnet()', () => {
    expect(cidrSubnet('10.0.0.0/16', 2, 0)).toBe('10.0.0.0/18');
    expect(cidrSubnet('10.0.0.0/16', 2, 3)).toBe('10.0.192.0/18');
    expect(cidrSubnet('10.0.192.0/18', 2, 1)).toBe('10.0.208.0/20');
    expect(() => cidrSubnet('10.0.0.0/16', 2, 4)).toThrow('network 4 does not fit in 2 bits');
  });

  test('parse rejects bare addresses and garbage, canonicalises host bits', () => {
    expect(parseIpv4Cidr('10.0.0.1')).toBeUndefined();
    expect(parseIpv4Cidr('10.0.0.0/33')).toBeUndefined();
    expect(parseIpv4Cidr('banana')).toBeUndefined();
    expect(parseIpv4Cidr('10.0.0.1/16')?.network).toBe('10.0.0.0/16');
  });

  test('overlap', () => {
    expect(cidrsOverlap('10.0.0.0/16', '10.0.128.0/17')).toBe(true);
    expect(cidrsOverlap('10.0.0.0/16', '10.1.0.0/16')).toBe(false);
  });
});

describe('planSubnets', () => {
  test('three zones in a /16: private /18s, public /20s from the last quarter', () => {
    expect(planSubnets('10.10.0.0/16', ['us-west-2a', 'us-west-2b', 'us-west-2c'])).toEqual([
      { zone: 'us-west-2a', privateCidr: '10.10.0.0/18', publicCidr: '10.10.192.0/20' },
      { zone: 'us-west-2b', privateCidr: '10.10.64.0/18', publicCidr: '10.10.208.0/20' },
      { zone: 'us-west-2c', privateCidr: '10.10.128.0/18', publicCidr: '10.10.224.0/20' },
    ]);
  });

  test('four zones need three bits', () => {
    const plan = planSubnets('10.0.0.0/16', ['a', 'b', 'c', 'd']);
    expect(plan.map((zone) => zone.privateCidr)).toEqual(['10.0.0.0/19', '10.0.32.0/19', '10.0.64.0/19', '10.0.96.0/19']);
    expect(plan[3]!.publicCidr).toBe('10.0.236.0/22');
  });

  test('no two subnets overlap', () => {
    const cidrs = planSubnets('10.20.0.0/20', ['a', 'b', 'c']).flatMap((zone) => [zone.privateCidr, zone.publicCidr]);
    for (const [i, a] of cidrs.entries()) for (const b of cidrs.slice(i + 1)) expect(cidrsOverlap(a, b), `${a} vs ${b}`).toBe(false);
  });
});
