/**
 * Columns added to a table after rooms already stored rows in it: `CREATE TABLE IF NOT EXISTS`
 * leaves an older table as it was, so such a column is added once, when the object first opens
 * the table without it (the check reads the table's schema, no row).
 */

/** Adds `column` (with its SQL definition) to `table` unless it is there already. */
export function addColumnOnce(sql: SqlStorage, table: string, column: string, definition: string): void {
  const found = sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM pragma_table_info(?) WHERE name = ?", table, column).one().n;
  if (found === 0) sql.exec(`ALTER TABLE ${table} ADD COLUMN ${column} ${definition}`);
}
