export * from './index.js';
export { NodeFileSource } from './source/node-file-source.js';
