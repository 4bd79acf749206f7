import { createWriteStream } from "node:fs";
import { once } from "node:events";

interface Row {
  token: string;
  refresh_token: string;
  client: string;
  user: string;
  scopes: string;
  expires_at: string;
  refresh_expires_at: string;
  revoked_at: null;
}

function row(i: number, now: number, tag: string): Row {
  const id = `${tag}${i.toString(36).padStart(8, "0")}`;
  return {
    token: `at_${id}_${"k".repeat(30)}`.slice(0, 43),
    refresh_token: `rt_${id}_${"r".repeat(30)}`.slice(0, 43),
    client: i % 2 === 0 ? "web" : "mobile",
    user: `user${i}@example.com`,
    scopes: "openid profile",
    expires_at: new Date(now + 3_600_000 + (i % 86_400) * 1000).toISOString(),
    refresh_expires_at: new Date(now + 30 * 86_400_000).toISOString(),
    revoked_at: null,
  };
}

/** Writes `rows` live legacy tokens as CSV, JSON array or NDJSON, streaming (constant memory). */
export async function writeBenchDump(
  file: string,
  rows: number,
  format: "csv" | "json" | "ndjson",
  tag = "b",
): Promise<void> {
  const out = createWriteStream(file, { highWaterMark: 1 << 20 });
  const now = Date.now();
  const write = async (text: string) => {
    if (!out.write(text)) await once(out, "drain");
  };
  if (format === "csv")
    await write("token,refresh_token,client,user,scopes,expires_at,refresh_expires_at,revoked_at\n");
  if (format === "json") await write("[\n");
  let chunk = "";
  for (let i = 0; i < rows; i++) {
    const r = row(i, now, tag);
    if (format === "csv")
      chunk += `${r.token},${r.refresh_token},${r.client},${r.user},${r.scopes},${r.expires_at},${r.refresh_expires_at},\n`;
    else
      chunk += `${format === "json" && i > 0 ? ",\n" : ""}${JSON.stringify(r)}${format === "ndjson" ? "\n" : ""}`;
    if (chunk.length > 1 << 20) {
      await write(chunk);
      chunk = "";
    }
  }
  if (format === "json") chunk += "\n]\n";
  await write(chunk);
  out.end();
  await once(out, "finish");
}
