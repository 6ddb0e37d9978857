export * from './plan.js';
export * from './render.js';
export * from './synth-diff.js';
export * from './attributes.js';
export * from './upgrades.js';
