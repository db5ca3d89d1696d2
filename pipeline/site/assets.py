"""Browser assets: the site's own CSS and scripts, and the libraries vendored from npm at build time.

The libraries come from the npm registry through package.json + package-lock.json (`npm ci`, which
`make docs` runs): DuckDB-WASM (its eh build: worker and .wasm) for the SQL page and Vega, Vega-Lite and
vega-embed for the explorer. esbuild (also from the lockfile) bundles the SQL page's script with DuckDB-WASM,
Apache Arrow and hyparquet (which decodes the Parquet downloads in the page: DuckDB-WASM's own Parquet reader
is an extension its npm package does not ship) into one local file. Nothing is fetched when the site is built
or viewed; without node_modules the site is built without the SQL console and the interactive charts (the SVGs remain).

The vendored files go into the finished site after mkdocs has run (mkdocs has no use for 34 MB of wasm).
"""
from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

STATIC = Path(__file__).resolve().parent / "static"
#: Files copied from node_modules: package path -> path under the site's assets/vendor/.
VENDORED = {
    "@duckdb/duckdb-wasm/dist/duckdb-eh.wasm": "duckdb/duckdb-eh.wasm",
    "@duckdb/duckdb-wasm/dist/duckdb-browser-eh.worker.js": "duckdb/duckdb-browser-eh.worker.js",
    "vega/build/vega.min.js": "vega/vega.min.js",
    "vega-lite/build/vega-lite.min.js": "vega/vega-lite.min.js",
    "vega-embed/build/vega-embed.min.js": "vega/vega-embed.min.js",
    "vega/LICENSE": "vega/LICENSE-vega",
    "vega-lite/LICENSE": "vega/LICENSE-vega-lite",
    "vega-embed/LICENSE": "vega/LICENSE-vega-embed",
    # the licences of the libraries bundled into sql.bundle.js beside DuckDB-WASM
    "hyparquet/LICENSE": "sql/LICENSE-hyparquet",
    "apache-arrow/LICENSE.txt": "sql/LICENSE-apache-arrow",
    "apache-arrow/NOTICE.txt": "sql/NOTICE-apache-arrow",
}
#: Packages esbuild bundles into assets/sql.bundle.js (with DuckDB-WASM's own script).
BUNDLED = ("@duckdb/duckdb-wasm", "apache-arrow", "hyparquet")


def node_modules(repo: Path) -> Path | None:
    """The repository's node_modules when `npm ci` has filled it with every vendored file, else None."""
    folder = Path(repo) / "node_modules"
    needed = ([folder / name for name in VENDORED if not _is_licence(name)] + [folder / ".bin" / "esbuild"]
              + [folder / package / "package.json" for package in BUNDLED])
    return folder if all(path.exists() for path in needed) else None


def _is_licence(name: str) -> bool:
    """A licence or notice file: copied when the package ships it, never required."""
    return Path(name).name.upper().startswith(("LICENSE", "NOTICE"))


def write_static(docs: Path) -> None:
    """The site's own stylesheet and the explorer's script into docs/assets/ (mkdocs copies them)."""
    assets = docs / "assets"
    assets.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(STATIC / "modelfacts.css", assets / "modelfacts.css")
    shutil.copyfile(STATIC / "charts.js", assets / "charts.js")


def vendor(repo: Path, site: Path) -> bool:
    """Copy the npm libraries into site/assets/vendor/ and bundle the SQL page's script into
    site/assets/sql.bundle.js; False (and a note on stderr) when node_modules is missing."""
    modules = node_modules(repo)
    if modules is None:
        print("docs: node_modules is missing (run `npm ci`): the SQL page and interactive charts are left out",
              file=sys.stderr)
        return False
    target = site / "assets" / "vendor"
    for source, name in VENDORED.items():
        (target / name).parent.mkdir(parents=True, exist_ok=True)
        if (modules / source).exists():
            _link_or_copy(modules / source, target / name)
    result = subprocess.run(
        [str(modules / ".bin" / "esbuild"), str(STATIC / "sql.js"), "--bundle", "--format=esm", "--minify",
         "--legal-comments=eof", f"--outfile={site / 'assets' / 'sql.bundle.js'}", "--log-level=error"],
        cwd=repo, capture_output=True, text=True)
    if result.returncode != 0:
        from pipeline.site.common import SiteError

        raise SiteError("esbuild could not bundle the SQL page:\n" + (result.stderr or result.stdout)[-2000:])
    return True


def _link_or_copy(source: Path, target: Path) -> None:
    """A hard link when the site is on the same file system as node_modules (the wasm is 34 MB), else a copy."""
    target.unlink(missing_ok=True)
    try:
        target.hardlink_to(source)
    except OSError:
        shutil.copyfile(source, target)
