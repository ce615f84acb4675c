import type { DdlEmitter, DdlOp, EmittedDdl } from '@forge/core';
import { commandText } from './command.js';
import { indexSpec, unsupportedIndex } from './indexes.js';
import { validatorOptions } from './validator.js';

const none = (comment: string): EmittedDdl => ({ sql: [], comment });

/**
 * Push on MongoDB sends no DDL and takes no lock on data (seed 004): a collection is created with `create`, each
 * declared index with one `createIndexes` command carrying its whole spec, and that is all. Each "statement" is the
 * command as canonical Extended JSON, run by `runIsolated` (which drops and recreates a same-named index whose spec
 * drifted, errors 85/86). Columns, keys and views have no server-side form here and are comment-only.
 */
export const mongoDdl: DdlEmitter = {
  emit(op: DdlOp): EmittedDdl {
    switch (op.op) {
      case 'createTable': {
        // A model with the option `validator` gets its `$jsonSchema` with the collection (collMod keeps it in step).
        const t = op.table;
        return { sql: [commandText(t.validator ? { create: t.name, ...validatorOptions({ ...t, validator: t.validator }) } : { create: t.name })] };
      }
      case 'createIndex': {
        const why = unsupportedIndex(op.index);
        if (why) return none(`index ${op.index.name} on ${op.table} is not created: ${why}`);
        return { sql: [commandText({ createIndexes: op.table, indexes: [indexSpec(op.index)] })] };
      }
      case 'dropIndex':
        return { sql: [commandText({ dropIndexes: op.table, index: op.index })] };
      case 'dropTable':
        return { sql: [commandText({ drop: op.table })] };
      case 'addColumn':
      case 'dropColumn':
        return none(`MongoDB is schemaless: no statement for ${op.table}.${typeof op.column === 'string' ? op.column : op.column.name}`);
      case 'addForeignKey':
      case 'dropForeignKey':
        return none(`MongoDB has no foreign keys: forge resolves relations itself (${op.table})`);
      case 'createView':
        return none(`MongoDB views need an aggregation pipeline; forge does not create ${op.table.name}`);
      case 'createSearch':
      case 'dropSearch':
        return none("forge's full-text search is not wired for MongoDB yet: declare a text index ({ keys: { body: 'text' } }) instead");
      case 'createExtension':
        return none(`MongoDB has no extensions (${op.name}): 2dsphere, text and hashed indexes are built in`);
    }
  },
  reverse(op: DdlOp): EmittedDdl {
    switch (op.op) {
      case 'createTable':
        return { sql: [commandText({ drop: op.table.name })] };
      case 'createIndex':
        return { sql: [commandText({ dropIndexes: op.table, index: op.index.name })] };
      case 'dropIndex':
        return op.was ? mongoDdl.emit({ op: 'createIndex', table: op.table, index: op.was }) : none(`index ${op.index} cannot be recreated: its spec was not read`);
      default:
        return none('no MongoDB inverse');
    }
  },
  columnType: (column) => column.kind,
};
