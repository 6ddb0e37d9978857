import { describe, expect, test } from 'vitest';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { Testing } from 'cdktf';
import { Release } from '@cdktf/provider-helm/lib/release';
import { RESTRICTED_EGRESS_LABEL } from '../src/features/network-policy-baseline/network-policy-baseline.js';
import { resourcesOf } from '../testing/index.js';
import { sandboxConfig, synthPlatform } from './fixtures.js';

interface PortRule {
  ports?: Array<{ port: string; protocol?: 'TCP' | 'UDP' | 'ANY' }>;
}
interface Rule {
  toEndpoints?: Array<{ matchLabels?: Record<string, string> }>;
  toCIDR?: string[];
  toEntities?: string[];
  toFQDNs?: Array<{ matchName?: string; matchPattern?: string }>;
  toPorts?: PortRule[];
}
interface Policy {
  kind: string;
  metadata: { name: string };
  spec: { endpointSelector: { matchLabels: Record<string, string> }; egress: Rule[] };
}

/**
 * A destination as Cilium's datapath sees it: its identity (an endpoint with labels, the local
 * host, or `world` with the address and, after the DNS proxy saw the lookup, the name).
 */
type Destination =
  | { kind: 'endpoint'; labels: Record<string, string>; port: number; protocol: 'TCP' | 'UDP' }
  | { kind: 'host'; port: number; protocol: 'TCP' | 'UDP' }
  | { kind: 'world'; ip: string; fqdn?: string; port: number; protocol: 'TCP' | 'UDP' };

function ipv4InCidr(ip: string, cidr: string): boolean {
  const [base, bits] = cidr.split('/');
  const toNumber = (address: string) => address.split('.').reduce((total, octet) => total * 256 + Number(octet), 0);
  const size = 2 ** (32 - Number(bits));
  return Math.floor(toNumber(ip) / size) === Math.floor(toNumber(base!) / size);
}
function inCidr(ip: string, cidr: string): boolean {
  // IPv6 here is only ever a /128 (the agent's address).
  if (ip.includes(':') || cidr.includes(':')) return cidr === `${ip}/128`;
  return ipv4InCidr(ip, cidr);
}

/** Cilium's FQDN selectors: `*` is any run of DNS characters within one label (a lone `*` is anything). */
function fqdnMatches(selector: { matchName?: string; matchPattern?: string }, name: string): boolean {
  if (selector.matchName) return selector.matchName.toLowerCase() === name.toLowerCase();
  if (selector.matchPattern === '*') return true;
  const pattern = selector.matchPattern!.replace(/\./g, '\\.').replace(/\*/g, '[-a-zA-Z0-9_]*');
  return new RegExp(`^${pattern}$`, 'i').test(name);
}

/** Whether an egress rule list allows a destination: one rule's peer and one of its ports match. */
function egressAllows(rules: readonly Rule[], destination: Destination): boolean {
  return rules.some((rule) => {
    const peer =
      (destination.kind === 'endpoint' &&
        (rule.toEndpoints ?? []).some((selector) => Object.entries(selector.matchLabels ?? {}).every(([key, value]) => destination.labels[key.replace(/^k8s:/, '')] === value))) ||
      (destination.kind === 'host' && (rule.toEntities ?? []).some((entity) => entity === 'host' || entity === 'all')) ||
      (destination.kind === 'world' &&
        ((rule.toCIDR ?? []).some((cidr) => inCidr(destination.ip, cidr)) ||
          (rule.toEntities ?? []).some((entity) => entity === 'world' || entity === 'all') ||
          (destination.fqdn !== undefined && (rule.toFQDNs ?? []).some((selector) => fqdnMatches(selector, destination.fqdn!)))));
    const port = (rule.toPorts ?? []).some((ports) => (ports.ports ?? []).some((entry) => Number(entry.port) === destination.port && (entry.protocol === 'ANY' || entry.protocol === destination.protocol)));
    return peer && port;
  });
}

/** The restricted-internet policy as it reaches the cluster: the YAML file of the synthesized chart. */
function renderedPolicy(): Policy {
  const { platform } = synthPlatform(sandboxConfig());
  const outdir = Testing.fullSynth(platform.platform);
  const chart = String(resourcesOf(Testing.synth(platform.platform), Release)['network-policy-baseline']!.chart);
  const templates = join(outdir, 'stacks', platform.platform.node.id, chart, 'templates');
  const file = readdirSync(templates).find((name) => name.includes('restricted-internet-egress'))!;
  return parse(readFileSync(join(templates, file), 'utf8')) as Policy;
}

describe('restricted-internet egress profile, as rendered for the cluster', () => {
  const policy = renderedPolicy();
  const allows = (destination: Destination) => egressAllows(policy.spec.egress, destination);

  test('selects the pods that opt in with the label, cluster-wide', () => {
    expect(policy.kind).toBe('CiliumClusterwideNetworkPolicy');
    expect(policy.spec.endpointSelector).toEqual({ matchLabels: { [RESTRICTED_EGRESS_LABEL.key]: RESTRICTED_EGRESS_LABEL.value } });
  });

  test.each([
    ['the EKS Pod Identity Agent, seen as the host', { kind: 'host', port: 80, protocol: 'TCP' }],
    ['the EKS Pod Identity Agent, seen as world (BPF host routing)', { kind: 'world', ip: '169.254.170.23', port: 80, protocol: 'TCP' }],
    ['the EKS Pod Identity Agent on IPv6', { kind: 'world', ip: 'fd00:ec2::23', port: 80, protocol: 'TCP' }],
    ['cluster DNS over UDP', { kind: 'endpoint', labels: { 'io.kubernetes.pod.namespace': 'kube-system', 'k8s-app': 'kube-dns' }, port: 53, protocol: 'UDP' }],
    ['cluster DNS over TCP', { kind: 'endpoint', labels: { 'io.kubernetes.pod.namespace': 'kube-system', 'k8s-app': 'kube-dns' }, port: 53, protocol: 'TCP' }],
    ['GitHub\'s API over HTTPS', { kind: 'world', ip: '140.82.112.6', fqdn: 'api.github.com', port: 443, protocol: 'TCP' }],
    ['an S3 bucket at its regional endpoint (what the AWS SDKs call)', { kind: 'world', ip: '52.92.1.1', fqdn: 'my-bucket.s3.us-west-2.amazonaws.com', port: 443, protocol: 'TCP' }],
    ['S3 regional, path style', { kind: 'world', ip: '52.92.1.1', fqdn: 's3.us-west-2.amazonaws.com', port: 443, protocol: 'TCP' }],
    ['an S3 bucket at the global endpoint', { kind: 'world', ip: '52.216.1.1', fqdn: 'my-bucket.s3.amazonaws.com', port: 443, protocol: 'TCP' }],
  ] as const)('allows %s', (_name, destination) => {
    expect(allows(destination)).toBe(true);
  });

  test.each([
    // Pods never use the node's credentials.
    ['the instance metadata service', { kind: 'world', ip: '169.254.169.254', port: 80, protocol: 'TCP' }],
    ['the agent\'s other port (its probe)', { kind: 'world', ip: '169.254.170.23', port: 2703, protocol: 'TCP' }],
    ['another port of the node', { kind: 'host', port: 10250, protocol: 'TCP' }],
    ['a name not on the list', { kind: 'world', ip: '93.184.216.34', fqdn: 'example.com', port: 443, protocol: 'TCP' }],
    ['an AWS API not on the list', { kind: 'world', ip: '52.94.1.1', fqdn: 'sts.us-west-2.amazonaws.com', port: 443, protocol: 'TCP' }],
    ['S3 in another region', { kind: 'world', ip: '52.95.1.1', fqdn: 'my-bucket.s3.eu-west-1.amazonaws.com', port: 443, protocol: 'TCP' }],
    ['a listed name over plain HTTP', { kind: 'world', ip: '140.82.112.6', fqdn: 'api.github.com', port: 80, protocol: 'TCP' }],
    ['another pod', { kind: 'endpoint', labels: { 'io.kubernetes.pod.namespace': 'default', app: 'db' }, port: 5432, protocol: 'TCP' }],
  ] as const)('denies %s', (_name, destination) => {
    expect(allows(destination)).toBe(false);
  });
});
