/** The one place SQLite identifiers and string literals are quoted for DDL text. */

/** `"name"` with embedded double quotes doubled, so any identifier is safe to splice into SQL. */
export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** `'text'` with embedded single quotes doubled (SQLite has no backslash escapes in literals). */
export function quoteString(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}
