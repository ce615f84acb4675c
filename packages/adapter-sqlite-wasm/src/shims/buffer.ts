/**
 * The one use @forge/core makes of Node's global `Buffer` in code the browser runs: `Buffer.byteLength(text)`, the
 * UTF-8 length of an identifier (`schema/names.ts`, `diff/identifiers.ts`). The Vite plugin imports this into
 * modules that name `Buffer.byteLength`.
 */
const utf8 = new TextEncoder();

export const Buffer = {
  byteLength(text: string): number {
    return utf8.encode(String(text)).length;
  },
};
