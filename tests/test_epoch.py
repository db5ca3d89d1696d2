"""The Epoch AI import (pipeline/imports/epoch.py): identity, status rules and unit traps.

Expected values are read from the snapshot CSV itself (tests needing it skip when the snapshot files are
absent from data/imports/epoch-ai/ and ../shared/imports/epoch-ai/), or worked by hand.
"""
from __future__ import annotations

import re
import shutil
from pathlib import Path

import pandas as pd
import pytest
import yaml

from pipeline.build import build_tables
from pipeline.export import curated_only
from pipeline.imports import epoch

ROOT = Path(__file__).resolve().parent.parent
FOLDER = ROOT / epoch.IMPORT_FOLDER
MAPPING = yaml.safe_load((FOLDER / "models.yaml").read_text(encoding="utf-8"))
SYSTEMS_FILE = "data/imports/epoch-ai/All ML Systems - full view.csv"


def test_float_artefacts_and_dollar_strings_read_as_a_person_would():
    written = pd.Series(["5.0000000001e+25", "70000000000.0", "7.084799999999999e+24", "$6770000.00",
                         "188.0", "6738415616", "1.1299999999999998e+27", "0.0"])
    tidy = epoch.tidy_numbers(written).tolist()
    assert tidy[:7] == ["5e+25", "7e+10", "7.0848e+24", "6.77e+06", "188", "6738415616", "1.13e+27"]
    assert pd.isna(tidy[7])  # zero is not a positive number
    parsed = epoch.parse_numbers(written[:2], "params_total")
    assert parsed["value"].tolist() == [5e25, 7e10]
    assert parsed["precision"].tolist() == ["1 sf", "1 sf"]  # not the 11 or 12 digits the export shows


def test_slugs_of_epoch_names():
    names = pd.Series(["Llama 2-70B", " Qwen2.5-VL-7B ", "KE Holdings Inc. (“Beike”)", "R&D"])
    assert epoch.slug(names).tolist() == ["llama-2-70b", "qwen2.5-vl-7b", "ke-holdings-inc.-beike", "r-and-d"]


def test_a_changed_snapshot_file_is_an_error_naming_it(tmp_path):
    target = tmp_path / epoch.IMPORT_FOLDER
    target.mkdir(parents=True)
    for name in ("snapshot.yaml", "models.yaml"):
        shutil.copy(FOLDER / name, target / name)
    (target / "Hardware prices.csv").write_text("Price source,Price date\n", encoding="utf-8")
    snapshot = epoch.read_snapshot(tmp_path)
    assert [error.file for error in snapshot.errors] == ["data/imports/epoch-ai/Hardware prices.csv"]
    assert "expected SHA-256 e397345924db0a6bf83bd39d27c1fc7e9ec298339261c6e5d35f535abc898d2f" in snapshot.errors[0].message
    statuses = {row["role"]: row["status"] for row in snapshot.status}
    assert statuses["prices"] == "changed"
    if not any((tmp_path / place).exists() for place in epoch.SNAPSHOT_FOLDERS[1:]):
        assert statuses["models"] == "absent"


# ---------------------------------------------------------------- with the snapshot

@pytest.fixture(scope="module")
def snapshot():
    found = epoch.read_snapshot(ROOT)
    if found is None or any(frame is None for frame in found.frames.values()):
        pytest.skip("Epoch AI snapshot CSVs not present in data/imports/epoch-ai/ or ../shared/imports/epoch-ai/")
    return found


@pytest.fixture(scope="module")
def tables(snapshot):
    return build_tables(ROOT)


@pytest.fixture(scope="module")
def systems(snapshot):
    return snapshot.frames["models"]


def _row(systems: pd.DataFrame, name: str) -> int:
    rows = systems.index[systems["Model"] == name]
    assert len(rows) == 1, name
    return int(rows[0])


def _claim(tables, row: int, column: str) -> pd.Series:
    claims = tables["claims"]
    found = claims[(claims["file"] == SYSTEMS_FILE) & (claims["line"] == row)
                   & claims["locator"].str.contains(f"'{column}'", regex=False)]
    assert len(found) == 1, (row, column)
    return found.iloc[0]


def test_snapshot_files_are_the_recorded_ones(snapshot):
    manifest = {entry["role"]: entry for entry in snapshot.manifest["files"]}
    for role, frame in snapshot.frames.items():
        assert len(frame) == manifest[role]["rows"]
    assert [row["status"] for row in snapshot.status] == ["loaded"] * 3


def test_no_curated_model_is_imported_twice(tables, systems):
    models = tables["models"]
    assert models["model_id"].is_unique
    curated = models[models["origin"].isna()]
    imported = models[models["origin"].notna()]
    assert curated["file"].str.startswith("data/models/").all()
    assert len(curated) == len(list((ROOT / "data/models").glob("*/*.yaml")))
    assert len(imported) == len(systems) - len(MAPPING["models"])
    assert set(MAPPING["models"].values()) <= set(curated["model_id"])
    assert len(set(MAPPING["models"].values())) == len(MAPPING["models"])  # one Epoch row per curated model
    # no imported model carries the name or an alias of a curated model (names compared squashed)
    squash = lambda text: re.sub(r"[^a-z0-9.]", "", text.lower())  # noqa: E731
    curated_names = {squash(n) for n in curated["name"]} | {
        squash(a) for aliases in curated["aliases"].dropna() for a in aliases.split("; ")} | set(curated["model_id"].map(squash))
    clashing = imported[imported["name"].map(squash).isin(curated_names)]
    assert set(clashing["name"]) <= set(MAPPING["not_the_same"])
    # a mapped row adds its claims to the curated model: Llama 2-70B's parameter cell
    row = _row(systems, "Llama 2-70B")
    claim = _claim(tables, row, "Parameters")
    assert claim["model_id"] == "llama-2-70b"
    assert claim["as_written"] == systems.at[row, "Parameters"] == "70000000000.0"


def test_imported_model_identity_and_organizations(tables, systems):
    models = tables["models"].set_index("model_id")
    # an unmapped row becomes a model "<developer>-<name>" (the developer's name said once) in the snapshot's file
    row = _row(systems, "Mistral OCR")
    assert systems.at[row, "Organization"] == "Mistral AI"
    model = models.loc["mistral-ocr"]
    assert (model["file"], model["name"], model["aliases"]) == (SYSTEMS_FILE, "Mistral OCR", "Mistral OCR")
    # a mapped row adds no model of its own: Magistral Small is the curated magistral-small
    assert "mistral-magistral-small" not in models.index
    assert models.at[MAPPING["models"]["Magistral Small"], "file"] == "data/models/mistral/magistral-small.yaml"
    # a multi-organization row: the first is the developer, the rest are named in the description
    row = _row(systems, "Boltz-2")
    developer, *others = systems.at[row, "Organization"].split(",")
    boltz = tables["models"][(tables["models"]["file"] == SYSTEMS_FILE) & (tables["models"]["name"] == "Boltz-2")].iloc[0]
    assert boltz["organization"] == epoch.slug(pd.Series([developer])).iloc[0]
    assert all(other in boltz["description"] for other in others)
    assert set(tables["models"]["organization"]) <= set(tables["organizations"]["organization_id"])


def test_status_follows_who_stands_behind_the_number(tables, systems):
    claims = tables["claims"]
    compute = claims[(claims["file"] == SYSTEMS_FILE) & (claims["field"] == "training_compute_flop")
                     & claims["key"].isna()].set_index("line")
    methods = systems.loc[compute.index, "Training compute estimation method"]
    developers = systems.loc[compute.index, "Organization"].str.split(",").str[0].str.strip()
    reported = methods.str.contains("Reported") & (developers != "")
    assert reported.sum() > 0 and (~reported).sum() > 0
    assert (compute.loc[reported, "status"] == "reported").all()
    assert (compute.loc[reported, "attributed_to"] == developers[reported]).all()
    assert (compute.loc[~reported, "status"] == "estimated").all()
    assert (compute.loc[~reported, "attributed_to"] == "Epoch AI").all()
    imported = claims[claims["origin"].notna()]
    assert set(imported["status"]) == {"estimated", "reported"}
    # Epoch's row-level confidence is kept verbatim, never as our status
    assert (imported["confidence"] == systems.loc[imported["line"], "Confidence"].to_numpy()).all()
    assert set(imported["confidence"]) == {"Confident", "Likely", "Speculative", "Unknown"}


def test_dataset_size_in_words_is_not_training_tokens(tables, systems):
    row = _row(systems, "Llama 2-70B")
    assert "words" in systems.at[row, "Dataset size notes"]
    claim = _claim(tables, row, "Training dataset size (datapoints)")
    assert claim["field"] == "training_dataset_size"
    assert claim["value"] == float(systems.at[row, "Training dataset size (datapoints)"]) == 1.5e12
    # a row whose notes speak of tokens only, with one pass, is training_tokens
    notes = systems["Dataset size notes"]
    tokens_only = (systems["Training dataset size (datapoints)"] != "") & notes.str.contains(r"\btokens?\b", case=False) \
        & ~notes.str.contains(r"\bwords?\b", case=False) & systems["Epochs"].isin(["", "1.0"])
    first = int(systems.index[tokens_only][0])
    assert _claim(tables, first, "Training dataset size (datapoints)")["field"] == "training_tokens"
    several = tokens_only.index[(systems["Training dataset size (datapoints)"] != "")
                                & notes.str.contains(r"\btokens?\b", case=False)
                                & pd.to_numeric(systems["Epochs"], errors="coerce").gt(1)]
    claim = _claim(tables, int(several[0]), "Training dataset size (datapoints)")
    assert claim["field"] == "training_dataset_size" and "epochs: " + systems.at[several[0], "Epochs"] in claim["note"]


def test_fine_tune_compute_is_skipped_and_fine_tunes_say_they_include_the_base(tables, systems):
    corrupt = systems["Finetune compute (FLOP)"]
    assert {"1", "3", "8"} <= set(corrupt)  # the trap exists in this export
    claims = tables["claims"]
    assert not claims["locator"].str.contains("Finetune compute").any()
    tuned = systems.index[(systems["Base model"].str.strip() != "") & (systems["Training compute (FLOP)"] != "")]
    compute = claims[(claims["file"] == SYSTEMS_FILE) & (claims["field"] == "training_compute_flop")
                     & claims["line"].isin(tuned) & claims["key"].isna()]
    assert len(compute) == len(tuned)
    assert (compute["stage"] == "whole-run").all() and compute["note"].str.contains("includes the compute of the base").all()


def test_bounds_with_float_artefacts_become_a_range(tables, systems):
    lower = systems["Training compute lower bound"]
    rows = systems.index[lower.str.contains("0000000001e+", regex=False)
                         & (systems["Training compute upper bound"] != "")]
    claims = tables["claims"]
    imported = set(claims.loc[(claims["file"] == SYSTEMS_FILE) & (claims["field"] == "training_compute_flop"), "line"])
    row = int(next(r for r in rows if r in imported))  # rows a curator took from this file are not imported
    claim = _claim(tables, row, "Training compute (FLOP)")
    assert claim["precision"] == "range"
    assert claim["low"] == float(epoch.tidy_numbers(pd.Series([lower[row]])).iloc[0]) != float(lower[row])
    assert claim["high"] == pytest.approx(float(systems.at[row, "Training compute upper bound"]), rel=1e-9)


def test_costs_are_2023_dollars_and_hours_become_days(tables, systems):
    row = _row(systems, "Llama 2-70B")
    cost = _claim(tables, row, "Training compute cost (2023 USD)")
    written = systems.at[row, "Training compute cost (2023 USD)"]
    assert written.startswith("$") and cost["as_written"] == written
    assert cost["value"] == pytest.approx(float(written[1:]))
    assert cost["dollar_year"] == 2023 and "2023 US dollars" in cost["note"]
    hours = systems.at[row, "Training time (hours)"]
    duration = _claim(tables, row, "Training time (hours)")
    assert duration["as_written"] == f"{hours} hours" and duration["value"] == pytest.approx(float(hours) / 24)


def test_locators_name_snapshot_row_and_column(tables, systems):
    row = _row(systems, "Llama 2-70B")
    claim = _claim(tables, row, "Training chip-hours")
    assert claim["locator"] == (f"snapshot {SYSTEMS_FILE} (Epoch AI, commit 263c40a), row {row}, "
                                "column 'Training chip-hours'")
    assert claim["origin"] == f"epoch-ai snapshot epoch-ai-2025-08-07 {SYSTEMS_FILE}"


def test_a_bad_cell_is_an_error_naming_file_row_and_column(systems):
    broken = epoch.without_skipped_cells(systems, MAPPING["skip_cells"])
    row = _row(systems, "Llama 2-70B")
    broken.at[row, "Parameters"] = "seventy billion"
    orgs = epoch.organizations(broken, MAPPING)
    ids = epoch.model_ids(broken, orgs, MAPPING)
    _, errors = epoch.claim_rows(broken, ids, orgs, SYSTEMS_FILE, "263c40a", "epoch-ai-all-ml-systems-2025-08-07")
    assert [str(error) for error in errors] == [
        f"{SYSTEMS_FILE}:{row}: [Parameters]: expected a positive number for params_total; found \"seventy billion\""]


def test_chips_and_prices_reach_the_hardware_checks(tables, snapshot):
    hardware = tables["hardware"].set_index("hardware_id")
    a100_80 = hardware.loc["nvidia-a100-sxm4-80-gb"]
    chips = snapshot.frames["chips"]
    source = chips[chips["Hardware name"] == "NVIDIA A100 SXM4 80 GB"].iloc[0]
    assert a100_80["peak_bf16_flops"] == float(source["Tensor-FP16/BF16 performance (FLOP/s)"]) == 312e12
    assert a100_80["memory_bytes"] == float(source["Memory size per board (Byte)"]) == 80e9
    assert str(a100_80["release_date"]) == source["Release date"]
    prices = tables["hardware_prices"]
    assert len(prices) == len(snapshot.frames["prices"])
    assert prices["hardware_id"].notna().all()  # every priced chip is a hardware record
    assert hardware.loc["nvidia-a100", "origin"] is pd.NA or pd.isna(hardware.loc["nvidia-a100", "origin"])


def test_export_leaves_imported_rows_in_their_snapshot(tables):
    curated = curated_only({name: tables[name] for name in ("models", "claims", "hardware", "organizations")})
    assert curated["models"]["file"].str.startswith("data/models/").all()
    assert len(curated["models"]) == len(list((ROOT / "data/models").glob("*/*.yaml")))
    assert not curated["claims"]["file"].str.startswith("data/imports/").any()
    assert set(curated["hardware"]["hardware_id"]) == {path.stem for path in (ROOT / "data/hardware").glob("*.yaml")}
    assert len(curated["organizations"]) == len(yaml.safe_load((ROOT / "data/organizations.yaml").read_text())["organizations"])


def test_export_with_imports_writes_the_same_curated_files(snapshot, tmp_path):
    from pipeline.build import build
    from pipeline.export import export

    without = tmp_path / "without"
    shutil.copytree(ROOT / "data", without / "data", ignore=shutil.ignore_patterns("imports"))
    written = {}
    for label, root in (("with", ROOT), ("without", without)):
        database = build(root, tmp_path / f"dist-{label}")
        out = tmp_path / f"export-{label}"
        written[label] = {path.relative_to(out): path.read_bytes() for path in export(database, out)}
    assert written["with"] == written["without"]
    assert not any("imports" in path.parts for path in written["with"])


def test_curated_claims_are_judged_as_without_the_import(tables, tmp_path):
    without = tmp_path / "without"
    shutil.copytree(ROOT / "data", without / "data", ignore=shutil.ignore_patterns("imports"))
    alone = build_tables(without)["checks"]
    curated = set(tables["claims"].loc[tables["claims"]["origin"].isna(), "claim_id"])
    mixed = tables["checks"][tables["checks"]["claim_id"].isin(curated)]
    columns = ["check_id", "verdict", "detail"]
    pd.testing.assert_frame_equal(mixed[columns].sort_values("check_id").reset_index(drop=True),
                                  alone[columns].sort_values("check_id").reset_index(drop=True))
    # and an imported figure that a curated, developer-confirmed one contradicts is the one flagged
    checks = tables["checks"].merge(tables["claims"][["claim_id", "origin"]], on="claim_id")
    conflicts = checks[(checks["check"] == "conflict") & (checks["verdict"] == "inconsistent")]
    imported = conflicts[conflicts["origin"].notna()]
    assert len(imported) and imported["detail"].str.contains("cannot be reconciled").all()
    assert not conflicts.loc[conflicts["origin"].isna(), "detail"].str.contains("epoch-ai-all-ml-systems-2025-08-07").any()


def test_cost_of_a_run_on_an_imported_chip_uses_the_prices_of_its_year(tables, snapshot, systems):
    row = _row(systems, "GNMT")
    assert systems.at[row, "Training hardware"] == "NVIDIA Tesla K80"
    year = int(systems.at[row, "Publication date"][:4])
    prices = snapshot.frames["prices"]
    k80 = prices[prices["Hardware model"] == "NVIDIA Tesla K80"]
    cloud = k80[["Price per chip-hour (on-demand)", "Price per chip-hour (1-year CUD)",
                 "Price per chip-hour (3-year CUD)"]].apply(pd.to_numeric, errors="coerce")
    years = pd.to_datetime(k80["Price date"]).dt.year
    priced = cloud.notna().any(axis=1)  # purchase-only rows carry no cloud price
    per_year = cloud[priced].assign(year=years[priced]).groupby("year").agg(["min", "max"])
    nearest = min(per_year.index, key=lambda y: (abs(y - year), y))
    low = per_year.loc[nearest].xs("min", level=1).min()
    high = per_year.loc[nearest].xs("max", level=1).max()
    claim = _claim(tables, row, "Training compute cost (2023 USD)")
    check = tables["checks"][(tables["checks"]["claim_id"] == claim["claim_id"])
                             & (tables["checks"]["check"] == "cost_hardware")].iloc[0]
    assert (nearest, low, high) == (2017, 0.43, 1.4)  # GNMT is from 2016; K80 cloud prices start in 2017
    assert f"at ${low:g}-{high:g} per hour" in check["detail"]


def test_cells_a_curator_took_from_the_same_file_are_not_imported_twice(tables):
    claims = tables["claims"]
    curated = claims[claims["source_id"].isin(MAPPING["same_document_sources"])]
    assert len(curated)  # curators cite this export directly for some figures
    imported = claims[claims["origin"].notna()]
    keys = ["model_id", "field"]
    both = curated[keys].merge(imported[keys], on=keys)
    assert both.empty
