export * from './check-stacks.js';
export * from './placeholders.js';
export * from './synth-output.js';
export * from './terraform.js';
export * from './state-from-plan.js';
export * from './provider-schemas.js';
export * from './shared-provider.js';
export * from './schema-cache-proxy.js';
