/**
 * Recognizes a unique-constraint violation on either database: PostgreSQL's SQLSTATE 23505
 * (`pg` exposes it as `code`), or better-sqlite3's extended result codes for a unique index or
 * primary key.
 */
export function isUniqueViolation(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const code = (error as { code?: unknown }).code;
  return code === '23505' || code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}
