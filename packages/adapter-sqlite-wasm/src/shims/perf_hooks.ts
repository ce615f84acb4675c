/** `node:perf_hooks` for a browser bundle: the page's own clock. */
export const performance = globalThis.performance;
