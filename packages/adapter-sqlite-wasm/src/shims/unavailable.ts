/**
 * What a browser bundle gets for the Node modules @forge/core's file-based paths import (`node:fs`, `node:path`,
 * `node:module`, `node:url`): migration files, the CLI's adapter loader. Nothing the browser runtime calls reaches
 * them; a call that does fails with a message naming what is Node-only, instead of a bundle that cannot load.
 */
function unavailable(name: string): never {
  throw new Error(`${name} is Node-only: forge in the browser runs db.$migrate() / db.$diff() on sqlite-wasm; migration files and forge CLI commands run in Node`);
}

const stub = (name: string) => (..._args: unknown[]): never => unavailable(name);

export const readFileSync = stub('fs.readFileSync');
export const constants = {};
export const createRequire = stub('module.createRequire');
export const pathToFileURL = stub('url.pathToFileURL');
export const access = stub('fs.access');
export const mkdir = stub('fs.mkdir');
export const readdir = stub('fs.readdir');
export const readFile = stub('fs.readFile');
export const rename = stub('fs.rename');
export const stat = stub('fs.stat');
export const unlink = stub('fs.unlink');
export const writeFile = stub('fs.writeFile');
const path = new Proxy({}, { get: (_t, key) => (key === Symbol.toPrimitive || key === 'then' ? undefined : stub(`path.${String(key)}`)) });
export default path;
