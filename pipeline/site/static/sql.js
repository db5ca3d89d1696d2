// The SQL page: DuckDB-WASM over the site's own downloads, in a worker, with nothing loaded from outside the
// site. It reads the CSV downloads: DuckDB-WASM's Parquet reader is an extension that the npm package does
// not ship (DuckDB would fetch it from extensions.duckdb.org), while the CSV reader is built in. Bundled with esbuild at build time (pipeline/site/assets.py); see templates/sql.md.
import * as duckdb from "@duckdb/duckdb-wasm";

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
  // Fetch every table's file once and register it in memory: no HTTP range requests, no extension downloads.
  await Promise.all(tables.map(async (name) => {
    const response = await fetch(here(root.dataset.files + name + ".csv"));
    if (!response.ok) throw new Error(`could not load ${name}.csv (${response.status})`);
    await db.registerFileBuffer(name + ".csv", new Uint8Array(await response.arrayBuffer()));
  }));
  const connection = await db.connect();
  await connection.query("SET autoinstall_known_extensions = false; SET autoload_known_extensions = false");
  for (const name of tables) {
    await connection.query(`CREATE TABLE "${name}" AS SELECT * FROM read_csv('${name}.csv', header = true, sample_size = -1)`);
  }
  return connection;
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
