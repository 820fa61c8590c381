export * from './server.js';
export * from './block-kit.js';
