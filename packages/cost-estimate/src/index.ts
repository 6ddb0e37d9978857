export * from './prices.js';
export * from './estimate.js';
export * from './render.js';
