// The SQL page: DuckDB-WASM over the site's own Parquet downloads, in a worker, with nothing loaded from outside
// the site. DuckDB-WASM's own Parquet reader is an extension that the npm package does not ship (DuckDB would
// fetch it from outside), so hyparquet (npm) decodes each file here and its columns go into DuckDB as Arrow
// tables with the Parquet file's types: integers stay integers, dates dates, NULLs NULL, text as written.
// Bundled with esbuild at build time (pipeline/site/assets.py); see templates/sql.md.
import * as duckdb from "@duckdb/duckdb-wasm";
import { Bool, DateDay, Float32, Float64, Int32, Int64, Table, TimestampMillisecond, Utf8, vectorFromArray } from "apache-arrow";
import { parquetMetadata, parquetRead } from "hyparquet";

const MAX_ROWS_SHOWN = 1000;
const root = document.getElementById("mf-sql");
const box = document.getElementById("mf-sql-query");
const runButton = document.getElementById("mf-sql-run");
const statusLine = document.getElementById("mf-sql-status");
const output = document.getElementById("mf-sql-result");
const errorBox = document.getElementById("mf-sql-error");
const csvLink = document.getElementById("mf-sql-csv");
const shareLink = document.getElementById("mf-sql-share");
const here = (path) => new URL(path, document.baseURI).href;
let ready = null;
let lastCsvUrl = null;

async function start() {
  // The eh build (WebAssembly exceptions, in every current browser) reports SQL errors as DuckDB wrote them.
  const bundle = {
    mainModule: here(root.dataset.vendor + "duckdb-eh.wasm"),
    mainWorker: here(root.dataset.vendor + "duckdb-browser-eh.worker.js"),
  };
  const worker = new Worker(bundle.mainWorker);
  const db = new duckdb.AsyncDuckDB(new duckdb.VoidLogger(), worker);
  await db.instantiate(bundle.mainModule);
  const tables = JSON.parse(root.dataset.tables);
  const connection = await db.connect();
  await connection.query("SET autoinstall_known_extensions = false; SET autoload_known_extensions = false");
  // Fetch and decode every file once: no HTTP range requests, no extension downloads.
  const decoded = await Promise.all(tables.map(async (name) => {
    const response = await fetch(here(root.dataset.files + name + ".parquet"));
    if (!response.ok) throw new Error(`could not load ${name}.parquet (${response.status})`);
    return readParquet(name, await response.arrayBuffer());
  }));
  for (const { name, columns, rows } of decoded) {
    // The table is declared from the Parquet schema, so an empty file still gives a table with typed columns.
    const declared = columns.map((column) => `${quoteName(column.name)} ${column.sql}`).join(", ");
    await connection.query(`CREATE TABLE ${quoteName(name)} (${declared})`);
    if (rows > 0) {
      const vectors = Object.fromEntries(columns.map((column) => [column.name, vectorFromArray(column.values, column.arrow)]));
      await connection.insertArrowTable(new Table(vectors), { name, create: false });
    }
  }
  return connection;
}

const quoteName = (name) => '"' + name.replace(/"/g, '""') + '"';

/** The Arrow and DuckDB types of one top-level Parquet column (its schema element); an Error naming the
 * table and column for a type the site's downloads do not use. */
function columnType(table, element) {
  const logical = element.logical_type ? element.logical_type.type : undefined;
  const annotation = logical || element.converted_type;
  if (annotation === "DECIMAL") return { arrow: new Float64(), sql: "DOUBLE" };  // hyparquet decodes decimals to numbers
  switch (element.type) {
    case "BOOLEAN": return { arrow: new Bool(), sql: "BOOLEAN" };
    case "INT32":
      if (annotation === "DATE") return { arrow: new DateDay(), sql: "DATE" };
      return { arrow: new Int32(), sql: "INTEGER" };
    case "INT64":
      if (annotation === "TIMESTAMP" || /^TIMESTAMP/.test(annotation || "")) return { arrow: new TimestampMillisecond(), sql: "TIMESTAMP" };
      return { arrow: new Int64(), sql: "BIGINT" };
    case "FLOAT": return { arrow: new Float32(), sql: "FLOAT" };
    case "DOUBLE": return { arrow: new Float64(), sql: "DOUBLE" };
    case "BYTE_ARRAY":
      if (["STRING", "UTF8", "ENUM", "JSON"].includes(annotation)) return { arrow: new Utf8(), sql: "VARCHAR" };
  }
  throw new Error(`${table}.parquet: column ${element.name} has Parquet type ${element.type}` +
                  `${annotation ? " (" + annotation + ")" : ""}, which this page cannot load`);
}

/** One Parquet file decoded column by column: {name, rows, columns: [{name, arrow, sql, values}]}, values being
 * one plain array per column (bigint for 64-bit integers, Date for dates, null for NULL). */
async function readParquet(name, buffer) {
  const metadata = parquetMetadata(buffer);
  const rows = Number(metadata.num_rows);
  const elements = [];
  // schema[0] is the root; the downloads are flat, so each top-level element is one leaf column.
  for (let index = 1; index < metadata.schema.length; index++) {
    const element = metadata.schema[index];
    if (element.num_children) throw new Error(`${name}.parquet: nested column ${element.name} is not supported`);
    elements.push(element);
  }
  const columns = elements.map((element) => ({ name: element.name, ...columnType(name, element), values: new Array(rows).fill(null) }));
  const byName = new Map(columns.map((column) => [column.name, column]));
  await parquetRead({
    file: buffer, metadata, utf8: true,
    onChunk: ({ columnName, columnData, rowStart }) => {
      const values = byName.get(columnName).values;
      for (let offset = 0; offset < columnData.length; offset++) values[rowStart + offset] = columnData[offset] ?? null;
    },
  });
  return { name, rows, columns };
}

function text(value) {
  if (value === null || value === undefined) return null;
  if (typeof value === "bigint") return value.toString();
  if (value instanceof Date) return value.toISOString().slice(0, 10);
  if (typeof value === "number") return Number.isInteger(value) ? value.toLocaleString("en-US") : value.toPrecision(6).replace(/\.?0+$/, "");
  if (typeof value === "object") return JSON.stringify(value, (_, v) => (typeof v === "bigint" ? v.toString() : v));
  return String(value);
}

function csvCell(value) {
  if (value === null || value === undefined) return "";
  const raw = typeof value === "bigint" ? value.toString() : value instanceof Date ? value.toISOString() :
    typeof value === "object" ? JSON.stringify(value, (_, v) => (typeof v === "bigint" ? v.toString() : v)) : String(value);
  return /[",\n\r]/.test(raw) ? `"${raw.replace(/"/g, '""')}"` : raw;
}

function render(table) {
  const columns = table.schema.fields.map((field) => field.name);
  const numeric = table.schema.fields.map((field) => /Int|Float|Decimal/.test(String(field.type)));
  const rows = table.toArray().map((row) => columns.map((name) => row[name]));
  const element = document.createElement("table");
  const head = element.createTHead().insertRow();
  columns.forEach((name, i) => {
    const th = document.createElement("th");
    th.textContent = name;
    if (numeric[i]) th.className = "mf-num";
    head.appendChild(th);
  });
  const body = element.createTBody();
  for (const row of rows.slice(0, MAX_ROWS_SHOWN)) {
    const tr = body.insertRow();
    row.forEach((value, i) => {
      const td = tr.insertCell();
      const shown = text(value);
      td.textContent = shown === null ? "NULL" : shown;
      td.className = [numeric[i] ? "mf-num" : "", shown === null ? "mf-null" : ""].join(" ").trim();
    });
  }
  output.replaceChildren(element);
  const csv = [columns.map(csvCell).join(","), ...rows.map((row) => row.map(csvCell).join(","))].join("\n") + "\n";
  if (lastCsvUrl) URL.revokeObjectURL(lastCsvUrl);
  lastCsvUrl = URL.createObjectURL(new Blob([csv], { type: "text/csv" }));
  csvLink.href = lastCsvUrl;
  csvLink.hidden = false;
  return rows.length;
}

function readable(error) {
  // DuckDB's messages name the problem ("Catalog Error: Table with name x does not exist!"); keep them, drop stacks.
  const message = String(error && error.message ? error.message : error);
  return message.split("\n").filter((line) => !/^\s+at /.test(line)).join("\n");
}

async function run() {
  const sql = box.value.trim();
  if (!sql) return;
  const params = new URLSearchParams({ sql });
  history.replaceState(null, "", "?" + params.toString());
  shareLink.href = location.href;
  shareLink.hidden = false;
  errorBox.hidden = true;
  csvLink.hidden = true;
  root.dataset.state = "running";
  statusLine.textContent = "Running…";
  const started = performance.now();
  try {
    const connection = await (ready ??= start());
    const table = await connection.query(sql);
    const count = render(table);
    const shown = count > MAX_ROWS_SHOWN ? ` (the first ${MAX_ROWS_SHOWN.toLocaleString("en-US")} shown; the CSV has all)` : "";
    statusLine.textContent = `${count.toLocaleString("en-US")} row${count === 1 ? "" : "s"} in ${Math.round(performance.now() - started)} ms${shown}.`;
    root.dataset.state = "done";
  } catch (error) {
    output.replaceChildren();
    errorBox.textContent = readable(error);
    errorBox.hidden = false;
    statusLine.textContent = "The query failed.";
    root.dataset.state = "error";
  }
}

runButton.addEventListener("click", run);
box.addEventListener("keydown", (event) => {
  if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) { event.preventDefault(); run(); }
});
for (const button of document.querySelectorAll("[data-recipe]")) {
  button.addEventListener("click", () => {
    box.value = JSON.parse(document.getElementById("mf-cookbook").textContent)[button.dataset.recipe];
    run();
  });
}
const shared = new URLSearchParams(location.search).get("sql");
if (shared) {
  box.value = shared;
  run();
}
root.dataset.loaded = "true";
