export * from './server.js';
export * from './block-kit.js';
export * from './socket-mode.js';
