export * from './prices.js';
export * from './ec2-prices.js';
export * from './estimate.js';
export * from './render.js';
