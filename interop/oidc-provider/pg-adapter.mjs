// A PostgreSQL adapter for oidc-provider in the common one-table shape (id, type, payload jsonb, grant_id,
// uid, user_code, expires_at, consumed_at): what the `oidc-provider` preset's export query reads. oidc-provider
// defines the payloads; an adapter only stores them. Expired rows are kept (see the preset's description).
import pg from "pg";

const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 4 });

export const schema = `CREATE TABLE IF NOT EXISTS oidc_payloads (
  id text NOT NULL, type text NOT NULL, payload jsonb NOT NULL, grant_id text, user_code text, uid text,
  expires_at timestamptz, consumed_at timestamptz, PRIMARY KEY (id, type))`;

export async function createSchema() {
  await pool.query(schema);
}

export async function closePool() {
  await pool.end();
}

export class PgAdapter {
  constructor(type) {
    this.type = type;
  }

  async upsert(id, payload, expiresIn) {
    await pool.query(
      `INSERT INTO oidc_payloads (id, type, payload, grant_id, user_code, uid, expires_at)
       VALUES ($1, $2, $3, $4, $5, $6, CASE WHEN $7::int IS NULL THEN NULL ELSE now() + make_interval(secs => $7::int) END)
       ON CONFLICT (id, type) DO UPDATE SET payload = excluded.payload, grant_id = excluded.grant_id,
         user_code = excluded.user_code, uid = excluded.uid, expires_at = excluded.expires_at`,
      [
        id,
        this.type,
        payload,
        payload.grantId ?? null,
        payload.userCode ?? null,
        payload.uid ?? null,
        expiresIn ?? null,
      ],
    );
  }

  async #findBy(column, value) {
    const { rows } = await pool.query(
      `SELECT payload, consumed_at FROM oidc_payloads WHERE ${column} = $1 AND type = $2`,
      [value, this.type],
    );
    if (!rows[0]) return undefined;
    const { payload, consumed_at: consumedAt } = rows[0];
    return consumedAt ? { ...payload, consumed: Math.floor(consumedAt.getTime() / 1000) } : payload;
  }

  find(id) {
    return this.#findBy("id", id);
  }

  findByUid(uid) {
    return this.#findBy("uid", uid);
  }

  findByUserCode(userCode) {
    return this.#findBy("user_code", userCode);
  }

  async consume(id) {
    await pool.query("UPDATE oidc_payloads SET consumed_at = now() WHERE id = $1 AND type = $2", [
      id,
      this.type,
    ]);
  }

  async destroy(id) {
    await pool.query("DELETE FROM oidc_payloads WHERE id = $1 AND type = $2", [id, this.type]);
  }

  async revokeByGrantId(grantId) {
    await pool.query("DELETE FROM oidc_payloads WHERE grant_id = $1", [grantId]);
  }
}
