// Nx loads an executor with require(); the executor is TypeScript (ESM), imported through tsx's
// ESM hooks as the environment generator is (see ../../generators/environment/index.cjs).
async function load() {
  await import('tsx/esm');
  return import('./executor.ts');
}

async function typecheckExecutor(options, context) {
  return (await load()).typecheckExecutor(options, context);
}

async function typecheckBatch(taskGraph, inputs, overrides, context) {
  return (await load()).typecheckBatch(taskGraph, inputs, overrides, context);
}

module.exports = { typecheckExecutor, typecheckBatch };
