import { describe, expect, test } from 'vitest';
import { orderAddons, type PlatformAddon } from '../src/addons/addon.js';

const addon = (name: string, dependsOn: string[] = [], conflictsWith: string[] = []): PlatformAddon => ({ name, dependsOn, conflictsWith, deploy: () => [] });

describe('orderAddons', () => {
  test('dependencies come first, otherwise the given order is kept', () => {
    expect(orderAddons([addon('argocd', ['cilium']), addon('karpenter', ['cilium']), addon('cilium')]).map((a) => a.name)).toEqual(['cilium', 'argocd', 'karpenter']);
  });
  test.each([
    [[addon('a', ['b'])], 'add-on "a" needs "b", which is not enabled'],
    [[addon('a', [], ['b']), addon('b')], 'add-on "a" conflicts with "b": enable only one of them'],
    [[addon('a', ['b']), addon('b', ['a'])], 'add-on dependency cycle: a -> b -> a'],
    [[addon('a'), addon('a')], 'add-on "a" is listed twice'],
  ])('refuses %#', (addons, message) => {
    expect(() => orderAddons(addons)).toThrow(message);
  });
});
