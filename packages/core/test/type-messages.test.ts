import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

/**
 * What a person reads when a call is mistyped: the compiler's message names the misspelled key and a named type
 * (`WhereInput<...>`, `HavingInput<...>`), not only an expanded object type. Compiled here with the TypeScript
 * API over a snippet that is never written to disk.
 */
const here = path.dirname(fileURLToPath(import.meta.url));
const snippetPath = path.join(here, '__type_messages__.ts');

const snippet = `
import { f, many, model, one, type Db } from '../src/index.js';
const User = model('users', { id: f.id(), email: f.string().unique(), name: f.string().optional() }, { relations: { posts: many('posts', { on: 'authorId' }) } });
const Post = model('posts', { id: f.id(), title: f.string(), authorId: f.string(), rating: f.int() }, { relations: { author: one('users', { on: 'authorId' }) } });
const schema = { user: User, post: Post };
declare const db: Db<typeof schema>;
db.user.findMany({ where: { emial: 'x' } });
db.user.findMany({ where: { posts: { some: { titel: 'x' } } } });
db.post.groupBy({ by: ['title'], having: { ratin: { _sum: { gt: 1 } } } });
db.post.groupBy({ by: ['title'], orderBy: { _sum: { ratin: 'asc' } } });
db.user.findMany({ include: { _count: { select: { post: true } } } });
`;

function diagnostics(): string[] {
  const options: ts.CompilerOptions = {
    strict: true,
    noEmit: true,
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    skipLibCheck: true,
    types: [],
  };
  const host = ts.createCompilerHost(options);
  const read = host.readFile.bind(host);
  const exists = host.fileExists.bind(host);
  const source = host.getSourceFile.bind(host);
  host.readFile = (f) => (path.resolve(f) === snippetPath ? snippet : read(f));
  host.fileExists = (f) => path.resolve(f) === snippetPath || exists(f);
  host.getSourceFile = (f, lang, ...rest) => (path.resolve(f) === snippetPath ? ts.createSourceFile(f, snippet, lang) : source(f, lang, ...rest));
  const program = ts.createProgram([snippetPath], options, host);
  const file = program.getSourceFile(snippetPath)!;
  return ts.getPreEmitDiagnostics(program, file).map((d) => {
    const line = file.getLineAndCharacterOfPosition(d.start ?? 0).line;
    return `${line}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`;
  });
}

describe('type error messages name the key and a named type', () => {
  it('misspelled keys in where, nested where, having, groupBy orderBy and _count', () => {
    const messages = diagnostics();
    const at = (line: number) => messages.filter((m) => m.startsWith(`${line}:`)).join('\n');
    expect(messages).toHaveLength(5);
    expect(at(6)).toMatch(/'emial' does not exist in type 'WhereInput<[\s\S]*Did you mean to write 'email'\?/);
    expect(at(7)).toMatch(/'titel' does not exist in type 'WhereInput<[\s\S]*Did you mean to write 'title'\?/);
    expect(at(8)).toMatch(/'ratin' does not exist in type 'HavingInput<[\s\S]*Did you mean to write 'rating'\?/);
    expect(at(9)).toMatch(/GroupByOrderByObject<[\s\S]*'ratin' does not exist[\s\S]*Did you mean to write 'rating'\?/);
    expect(at(10)).toMatch(/'post' does not exist in type[\s\S]*Did you mean to write 'posts'\?/);
  }, 60_000);
});
