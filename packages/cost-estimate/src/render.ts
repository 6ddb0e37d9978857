import type { CostEstimate } from './estimate.js';

/** `$1,234.56` */
export function dollars(value: number): string {
  return `$${value.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
}

function cell(text: string): string {
  return text.replace(/\|/g, '\\|');
}

/** The estimate as Markdown: items per stack, totals, what is not priced, the comparison, the assumptions. */
export function renderMarkdown(estimate: CostEstimate): string {
  const a = estimate.assumptions;
  const out: string[] = [];
  const karpenter =
    estimate.karpenterUsd > 0
      ? `, of which ${dollars(estimate.karpenterUsd)} is Karpenter capacity at the assumed ${a.karpenterUtilisation * 100}% of its pools' CPU limits`
      : '';
  out.push(
    `About **${dollars(estimate.totalUsd)}/month** for \`${estimate.environment}\` (${a.hoursPerMonth} hours)${karpenter}, computed from the synthesized stacks by \`packages/cost-estimate\`.`,
    `Prices: ${estimate.pricesAsOf}. Estimates, not quotes: check the assumptions below.`,
    '',
    '| stack | region | item | quantity and price | per month |',
    '|---|---|---|---|---:|',
  );
  for (const line of estimate.lines) out.push(`| ${line.stack} | ${line.region} | ${cell(line.item)} | ${cell(line.detail)} | ${dollars(line.monthlyUsd)} |`);
  out.push(`| **total** | | | | **${dollars(estimate.totalUsd)}** |`, '');

  out.push('Per stack:', '', '| stack | per month |', '|---|---:|');
  for (const stack of estimate.stacks) out.push(`| ${stack.stack} | ${dollars(stack.monthlyUsd)} |`);
  out.push('');

  if (estimate.unpriced.length > 0) {
    out.push('**Not priced** (missing from the price table, not counted in the total):', '');
    for (const item of estimate.unpriced) out.push(`- ${item.stack} (${item.region}): ${item.item}: ${item.reason}`);
    out.push('');
  }

  if (estimate.comparison.length > 0) {
    out.push(
      'The same workload (the node groups at desired size) three ways, compute only:',
      '',
      '| compute stack | region | nodes | vCPUs | GiB | EC2 on-demand | Karpenter with spot | Fargate |',
      '|---|---|---:|---:|---:|---:|---:|---:|',
    );
    for (const row of estimate.comparison) {
      out.push(`| ${row.stack} | ${row.region} | ${row.nodes} | ${row.vcpus} | ${row.memoryGib} | ${dollars(row.ec2OnDemandUsd)} | ${dollars(row.karpenterSpotUsd)} | ${dollars(row.fargateUsd)} |`);
    }
    out.push(
      '',
      'Fargate bills the pods\' requests; the row assumes they request the nodes\' whole vCPUs and memory. With Fargate the project switches Cilium off (VPC CNI, no DaemonSets).',
      '',
    );
  }

  out.push(
    'Assumptions:',
    '',
    `- ${a.hoursPerMonth} hours a month; EKS standard support`,
    `- NAT gateways process ${a.natGbPerGateway} GB a month each; Transit Gateway VPC attachments ${a.transitGatewayGbPerAttachment} GB each`,
    `- every log group ingests ${a.logGbPerGroup} GB a month and keeps it for its retention`,
    `- spot costs ${a.spotShareOfOnDemand * 100}% of on-demand; node groups are priced at their first instance type`,
    `- Karpenter pools run at ${a.karpenterUtilisation * 100}% of their CPU limit on average, priced as their first family's xlarge (m6i.xlarge for categories), on spot when the pool allows it`,
    `- not included: ${estimate.notIncluded.join('; ')}`,
    '',
    `Sources: ${Object.values(estimate.sources).join(', ')}.`,
  );
  return `${out.join('\n')}\n`;
}

/** The estimate as JSON for CI (stable key order, two-space indent). */
export function renderJson(estimate: CostEstimate): string {
  return `${JSON.stringify(estimate, null, 2)}\n`;
}
