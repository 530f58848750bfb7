import Database from 'better-sqlite3';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import type { Target } from './targets.js';

/** Rows in each of Gatehouse's tables, read through a connection of the bench's own. */
export async function rowCounts(target: Target): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  if (target.databaseUrl) {
    const client = new pg.Client({ connectionString: target.databaseUrl });
    await client.connect();
    try {
      const tables = await client.query<{ tablename: string }>("SELECT tablename FROM pg_tables WHERE schemaname = current_schema() ORDER BY tablename");
      for (const { tablename } of tables.rows) {
        counts[tablename] = Number((await client.query<{ n: string }>(`SELECT count(*) AS n FROM "${tablename}"`)).rows[0]!.n);
      }
    } finally {
      await client.end();
    }
    return counts;
  }
  const db = new Database(sqliteFile(target), { readonly: true });
  try {
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name").all() as { name: string }[];
    for (const { name } of tables) counts[name] = (db.prepare(`SELECT count(*) AS n FROM "${name}"`).get() as { n: number }).n;
  } finally {
    db.close();
  }
  return counts;
}

function sqliteFile(target: Target): string {
  return path.join(target.dataDir!, 'gatehouse.sqlite');
}

/**
 * Live sessions without a sign-in each (10,000 argon2id checks would take minutes): copies of the
 * Session row a real sign-in stored, each with a fresh id, written next to the running server as
 * another instance would (SQLite in WAL mode admits a second writer process). Gatehouse keeps
 * sessions in the database and reads one only when its cookie is presented, so what this
 * measures is whether anything in the process grows with the number stored.
 */
export function cloneSessions(target: Target, count: number): number {
  const db = new Database(sqliteFile(target));
  try {
    db.pragma('busy_timeout = 5000');
    const model = db.prepare("SELECT * FROM oidc_models WHERE model = 'Session' LIMIT 1").get() as Record<string, unknown> | undefined;
    if (!model) throw new Error('no session to copy: run the sign-in scenario first');
    const payload = JSON.parse(model.payload as string) as Record<string, unknown>;
    const columns = Object.keys(model);
    const insert = db.prepare(`INSERT INTO oidc_models (${columns.join(', ')}) VALUES (${columns.map((c) => `@${c}`).join(', ')})`);
    db.transaction(() => {
      for (let i = 0; i < count; i += 1) {
        const id = randomBytes(16).toString('base64url');
        const uid = randomBytes(16).toString('base64url');
        insert.run({ ...model, id, uid, payload: JSON.stringify({ ...payload, jti: id, uid }) });
      }
    })();
    return count;
  } finally {
    db.close();
  }
}
