import { f, many, model, one, type AnyModel } from '@forge/core';

/**
 * The schema a schema file's text declares, evaluated in process as the file would be: for the harness's own
 * fixture files and for what `forge pull` writes. Such files import only `f`, `model`, `one` and `many`, declare
 * `export const` models and end with `export const schema = { ... }`; they hold no type annotations.
 */
export function evaluateSchemaSource(source: string): Record<string, AnyModel> {
  const body = source
    .replace(/^import .*$/gm, '')
    .replace(/^export const schema = /m, 'return ')
    .replace(/^export const /gm, 'const ');
  return new Function('f', 'model', 'one', 'many', body)(f, model, one, many) as Record<string, AnyModel>;
}
