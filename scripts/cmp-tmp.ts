import { checkStacks } from '@cilium-eks/terraform-harness';
const share = process.argv[2] === 'shared';
const t = Date.now();
const r = await checkStacks({ outdir: process.argv[3]!, mirror: '/opt/tf-plugins', planJsonDir: `/tmp/exp/plans-${process.argv[2]}`, shareProvider: share });
console.log(process.argv[2], (Date.now() - t) / 1000, r.map((x) => x.status).join(','));
