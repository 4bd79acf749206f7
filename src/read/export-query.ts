import { createRequire } from "node:module";
import { MigrateError } from "../shared/errors.js";
import { printable } from "../shared/text.js";

/**
 * Functions an export query may call: pure text, time, number and JSON functions that real exports use.
 * Anything else is refused by name: a mapping is shared and downloaded, so it is data, and a function
 * can write (`lo_export`, `dblink_exec`), signal (`pg_terminate_backend`) or read server files.
 */
const allowedFunctions = new Set(
  `to_char to_timestamp to_date to_number date_part date_trunc timezone now extract age make_interval
  lower upper trim btrim ltrim rtrim split_part substring substr replace concat concat_ws length char_length
  left right position strpos regexp_replace regexp_split_to_array format lpad rpad encode decode translate
  string_agg array_agg array_to_string array_length cardinality unnest min max count sum avg bool_or bool_and
  floor ceil ceiling round trunc abs mod
  to_json to_jsonb json_build_object jsonb_build_object json_agg jsonb_agg json_extract_path_text
  jsonb_extract_path_text json_array_elements_text jsonb_array_elements_text jsonb_object_keys
  json_object_keys jsonb_typeof json_typeof`.split(/\s+/),
);

/** Parse-tree nodes that change data, wherever they stand (a data-modifying CTE is one of them). */
const writingNodes = new Set(["InsertStmt", "UpdateStmt", "DeleteStmt", "MergeStmt", "CallStmt", "DoStmt"]);

/** COPY options the CSV reader understands; the reader needs format csv and a header. */
const allowedOptions = new Set(["format", "header", "force_quote"]);

interface Parser {
  loadModule(): Promise<void>;
  parseSync(query: string): { stmts?: { stmt: Record<string, unknown> }[] };
}

function refuse(reason: string): never {
  throw new MigrateError(
    "mapping_invalid",
    `export.postgresql is refused before connecting: ${reason}. It must be one plain read: COPY (SELECT …) TO STDOUT WITH CSV HEADER`,
    { field: "export.postgresql" },
  );
}

/**
 * Checks, with PostgreSQL's own parser, that the mapping's export query is exactly one
 * `COPY (SELECT …) TO STDOUT` in CSV with a header that calls only listed functions and holds nothing
 * that writes or locks. The query then also runs in a READ ONLY transaction: this is the first wall.
 */
export async function checkExportQuery(query: string | undefined): Promise<string> {
  if (!query?.trim()) refuse("the mapping has none (a preset has one)");
  // Loaded only by a run that reads the database: the parser is a 1 MB WebAssembly module.
  const parser = createRequire(import.meta.url)("libpg-query") as Parser;
  await parser.loadModule();
  let tree: ReturnType<Parser["parseSync"]>;
  try {
    tree = parser.parseSync(query);
  } catch (error) {
    const why = error instanceof Error ? error.message : "?";
    refuse(`PostgreSQL's parser does not read it (${printable(why, 200)})`);
  }
  const statements = tree.stmts ?? [];
  if (statements.length !== 1) refuse(`it holds ${statements.length} statements, not one`);
  const statement = statements[0]!.stmt;
  const copy = statement.CopyStmt as Record<string, unknown> | undefined;
  if (!copy) refuse(`it is a ${Object.keys(statement)[0] ?? "?"}, not a COPY`);
  if (copy.is_from) refuse("it is COPY … FROM, which writes into a table");
  if (copy.is_program) refuse("it copies to PROGRAM, which runs a command on the database host");
  if (copy.filename !== undefined) refuse("it copies to a file on the database host, not to STDOUT");
  if (!copy.query) refuse("it copies a table, not a (SELECT …)");
  const inner = copy.query as Record<string, unknown>;
  if (!inner.SelectStmt) refuse(`the copied query is a ${Object.keys(inner)[0] ?? "?"}, not a SELECT`);
  checkOptions((copy.options ?? []) as { DefElem: { defname: string; arg?: unknown } }[]);
  walk(inner);
  return query;
}

function checkOptions(options: { DefElem: { defname: string; arg?: unknown } }[]): void {
  const names = new Map(options.map((o) => [o.DefElem.defname, JSON.stringify(o.DefElem.arg ?? true)]));
  for (const name of names.keys()) if (!allowedOptions.has(name)) refuse(`COPY option ${name} is not read`);
  if (!/csv/i.test(names.get("format") ?? "")) refuse("the COPY is not WITH (FORMAT csv)");
  if (!names.has("header") || /false|"off"|0/.test(names.get("header")!)) refuse("the COPY has no HEADER");
}

/** Visits every node of the SELECT: refuses writes, row locks, SELECT INTO and unlisted functions. */
function walk(node: unknown): void {
  if (Array.isArray(node)) return node.forEach(walk);
  if (!node || typeof node !== "object") return;
  for (const [key, value] of Object.entries(node)) {
    if (writingNodes.has(key)) refuse(`it holds a ${key.replace(/Stmt$/, "").toUpperCase()}, which writes`);
    if (key === "SelectStmt") {
      const select = value as Record<string, unknown>;
      if (select.intoClause) refuse("it holds SELECT … INTO, which creates a table");
      if (select.lockingClause) refuse("it holds FOR UPDATE/SHARE, which locks the legacy rows");
    }
    if (key === "FuncCall") {
      const name = functionName(value as { funcname: { String?: { sval: string } }[] });
      if (!allowedFunctions.has(name)) refuse(`it calls ${name}(), which is not a listed read-only function`);
    }
    walk(value);
  }
}

/** A function's name without the `pg_catalog.` schema that the parser adds to some built-ins. */
function functionName(call: { funcname: { String?: { sval: string } }[] }): string {
  const parts = call.funcname.map((part) => part.String?.sval ?? "?");
  if (parts.length === 2 && parts[0] === "pg_catalog") parts.shift();
  return parts.join(".").toLowerCase();
}
