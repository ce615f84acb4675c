export { main } from './main.js';
export { defineConfig, type ForgeConfig } from './config.js';
