// Nx loads a generator with require(). The generator is TypeScript (ESM), which Node 20 cannot
// load and Nx would load only through @swc-node/register or ts-node. tsx, the workspace's
// TypeScript runtime, registers its ESM hooks (what `node --import tsx/esm` does) and the
// generator is imported through them.
async function environmentGenerator(tree, options) {
  await import('tsx/esm');
  const { environmentGenerator: generate } = await import('./generator.ts');
  return generate(tree, options);
}

module.exports = environmentGenerator;
module.exports.default = environmentGenerator;
