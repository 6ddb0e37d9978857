export * from './check-stacks.js';
export * from './placeholders.js';
export * from './synth-output.js';
export * from './terraform.js';
