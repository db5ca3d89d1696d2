"""Import Epoch AI's database snapshot (data/imports/epoch-ai/) as attributed claims.

The snapshot is three CSV files exported by Epoch AI (models, chips, cloud prices), read unchanged at
build time and checked against the SHA-256 recorded in data/imports/epoch-ai/snapshot.yaml. Rows become
rows of the loader's own tables (models, claims, organizations, hardware), so they are validated by the
same rules as the curated YAML files; an error names the snapshot file, its row (spreadsheet numbering:
the header is row 1) and the column.

Identity. data/imports/epoch-ai/models.yaml ties an Epoch name to a curated model id; those rows only add
claims to the curated model. Every other row becomes a model whose `file` is the snapshot file and whose
`line` is its row: the path plus the row is its identity, as a YAML file's path is for curated models.
Its id is `<organization>-<slug of the name>` (the slug alone when it already starts with the organization).

Status. A compute figure that Epoch's `Training compute estimation method` marks `Reported` is
`reported`, attributed to the developer; every other figure is `estimated`, attributed to Epoch AI, with
Epoch's method in the note (Epoch does not mark who stands behind its other columns). Epoch's row-level
`Confidence` is kept verbatim in claims.confidence and never becomes a status.

Units. Parameters -> params_total; Training compute (FLOP) -> training_compute_flop (with its lower and
upper bounds as a range when both exist and bracket it; a fine-tune's figure includes its base model, so
its stage is whole-run); Training chip-hours -> training_gpu_hours; Training hardware and Hardware
quantity -> training_hardware and training_chip_count; Training time (hours) -> training_duration_days
(hours / 24; as_written keeps the hours); Training compute cost (2023 USD) -> training_cost_usd in 2023
dollars (claims.dollar_year = 2023). `Training dataset size (datapoints)` is the dataset's size, often in
words: it becomes training_tokens only where Epoch's notes speak of tokens and no second epoch is stated,
otherwise training_dataset_size with the unit and the epochs in the note. `Finetune compute (FLOP)` is
not imported: this export holds values such as 1, 3 and 8 FLOP there (see SKIPPED_COLUMNS).

Numbers are kept as written (`70000000000.0`, `5.0000000001e+25`, `$6770000.00`) and read sensibly: the
float noise of the export is rounded away (the fewest significant digits within one part in 1e9), so
70000000000.0 is 7e10 to one significant figure and 5.0000000001e+25 is 5e25, not an 11-digit figure.
"""
from __future__ import annotations

import hashlib
import io
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from pipeline.errors import DataError
from pipeline.load.values import ValueParseError, parse_value

IMPORT_FOLDER = "data/imports/epoch-ai"
# Where the CSV files may lie, relative to the repository root: vendored in the repository, or in the
# steering repository's shared/ folder that sits beside every checkout.
SNAPSHOT_FOLDERS = ("data/imports/epoch-ai", "../shared/imports/epoch-ai")
EPOCH = "Epoch AI"
UNKNOWN_ORGANIZATION = "unknown-organization"
DOLLAR_YEAR = 2023
SKIPPED_COLUMNS = {
    "Finetune compute (FLOP)": "corrupt in this export: it holds values such as 1, 3 and 8 FLOP beside figures "
                               "of 1e19-1e21 (its notes give the real estimates)",
}
DOMAINS = {"language": "language", "vision": "vision", "multimodal": "multimodal",
           "image generation": "image-generation", "speech": "speech"}
NUMERICAL_TOLERANCE = 1e-9  # float noise of the export: 5.0000000001e+25 is 5e25 within one part in 1e9
# Column -> (field, claim_index): the order of an imported row's claims
CLAIM_ORDER = {"params_total": 0, "training_compute_flop": 1, "post_training_compute": 2, "training_gpu_hours": 3,
               "training_hardware": 4, "training_chip_count": 5, "training_duration_days": 6,
               "training_cost_usd": 7, "training_dataset": 8}
CLAIM_COLUMNS = ["model_id", "claim_index", "field", "as_written", "status", "source_id", "locator",
                 "attributed_to", "key", "note", "stage", "scope", "component", "context_window", "value", "low", "high",
                 "precision", "sig_figs", "approximate", "file", "line", "path_prefix", "confidence", "dollar_year"]
# Chip dataset columns -> published hardware columns (FLOP/s or bytes)
CHIP_COLUMNS = {
    "FP64 (double precision) performance (FLOP/s)": "peak_fp64_flops",
    "FP32 (single precision) performance (FLOP/s)": "peak_fp32_flops",
    "TF32 (TensorFloat-32) performance (FLOP/s)": "peak_tf32_flops",
    "FP16 (half precision) performance (FLOP/s)": "peak_fp16_flops",
    "Tensor-FP16/BF16 performance (FLOP/s)": "peak_tensor_16bit_flops",
    "FP8 performance (FLOP/s)": "peak_fp8_flops",
    "INT8 performance (OP/s)": "peak_int8_ops",
    "Memory size per board (Byte)": "memory_bytes",
    "Memory bandwidth (byte/s)": "memory_bandwidth_bytes_per_s",
}
PRICE_COLUMNS = {"Price per chip-hour (on-demand)": "on_demand_usd_per_hour",
                 "Price per chip-hour (1-year CUD)": "committed_1y_usd_per_hour",
                 "Price per chip-hour (3-year CUD)": "committed_3y_usd_per_hour",
                 "Price (hardware purchase)": "purchase_usd"}


@dataclass
class Snapshot:
    """The manifest, the identity mapping and the CSV files of one snapshot (None where a file is absent)."""

    manifest: dict
    mapping: dict
    frames: dict[str, pd.DataFrame | None] = field(default_factory=dict)
    files: dict[str, str] = field(default_factory=dict)   # role -> repository path used in tables
    status: list[dict] = field(default_factory=list)       # one row per file for the `imports` table
    errors: list[DataError] = field(default_factory=list)


# ---------------------------------------------------------------- reading

def slug(names: pd.Series) -> pd.Series:
    """Lowercase slugs ('Llama 2-70B' -> 'llama-2-70b'): runs of other characters become one '-'."""
    lowered = names.fillna("").str.lower().str.replace("&", " and ", regex=False)
    return lowered.str.replace(r"[^a-z0-9.]+", "-", regex=True).str.strip("-.")


def read_snapshot(root: Path) -> Snapshot | None:
    """The snapshot under root/data/imports/epoch-ai, or None when the repository has no such import.

    Each CSV is looked up in SNAPSHOT_FOLDERS; a file whose SHA-256 differs from the manifest is an error
    (a snapshot is immutable: a new export is a new snapshot), a missing one is recorded as absent.
    """
    folder = root / IMPORT_FOLDER
    manifest_path = folder / "snapshot.yaml"
    if not manifest_path.exists():
        return None
    manifest = yaml.safe_load(manifest_path.read_text(encoding="utf-8"))
    mapping = yaml.safe_load((folder / "models.yaml").read_text(encoding="utf-8"))
    snapshot = Snapshot(manifest=manifest, mapping=mapping)
    for entry in manifest["files"]:
        relative = f"{IMPORT_FOLDER}/{entry['path']}"
        snapshot.files[entry["role"]] = relative
        found = next((root / place / entry["path"] for place in SNAPSHOT_FOLDERS
                      if (root / place / entry["path"]).is_file()), None)
        status = {"snapshot": manifest["snapshot"], "file": relative, "role": entry["role"],
                  "source_id": entry["source"], "commit": manifest["commit"], "last_changed": str(entry["last_changed"]),
                  "sha256": entry["sha256"], "rows": entry["rows"], "read_from": None, "status": "absent"}
        snapshot.status.append(status)
        snapshot.frames[entry["role"]] = None
        if found is None:
            continue
        content = found.read_bytes()
        digest = hashlib.sha256(content).hexdigest()
        if digest != entry["sha256"]:
            snapshot.errors.append(DataError(relative, 0, "sha256", (
                f"expected SHA-256 {entry['sha256']} (data/imports/epoch-ai/snapshot.yaml); found {digest}: a snapshot "
                "is immutable, so add a newer export as a new snapshot instead of editing this file")))
            status["status"] = "changed"
            continue
        frame = pd.read_csv(io.BytesIO(content), dtype=str, keep_default_na=False, encoding="utf-8-sig")
        frame.index = pd.RangeIndex(2, len(frame) + 2, name="row")  # spreadsheet rows: the header is row 1
        snapshot.frames[entry["role"]] = frame
        status.update(read_from=str(found.parent.resolve()), status="loaded")
    return snapshot


def significant_digits(numbers: np.ndarray) -> np.ndarray:
    """The fewest significant digits (1-17) that give each number back within NUMERICAL_TOLERANCE.

    70000000000.0 -> 1, 6.12e23 -> 3, 5.0000000001e25 -> 1, 7.084799999999999e24 -> 5; NaN where not > 0.
    """
    result = np.full(numbers.shape, np.nan)
    positive = np.isfinite(numbers) & (numbers > 0)
    safe = np.where(positive, numbers, 1.0)
    exponent = np.floor(np.log10(safe))
    # a whole number below 1e15 is exact as written (6738415616 keeps its ten digits); larger or fractional
    # numbers lose the export's float noise
    tolerance = np.where((safe < 1e15) & (safe == np.floor(safe)), 0.0, NUMERICAL_TOLERANCE) * safe
    for digits in range(1, 18):
        scale = 10.0 ** (exponent - digits + 1)
        close = positive & np.isnan(result) & (np.abs(np.round(safe / scale) * scale - safe) <= tolerance)
        result[close] = digits
    result[positive & np.isnan(result)] = 17
    return result


def tidy_numbers(texts: pd.Series) -> pd.Series:
    """Each written number ('70000000000.0', '$6770000.00', '5.0000000001e+25') as the text a person
    would write for it ('7e+10', '6.77e+06', '5e+25'; whole numbers with every digit significant stay
    whole: '188', '6738415616'); None where the cell is not a positive number."""
    numbers = pd.to_numeric(texts.str.strip().str.lstrip("$").str.replace(",", "", regex=False), errors="coerce")
    values = numbers.to_numpy(dtype="float64")
    digits = significant_digits(values)
    integer_digits = np.floor(np.log10(np.where(values > 0, values, 1.0))) + 1
    tidy = np.full(len(values), None, dtype=object)
    for count in np.unique(digits[~np.isnan(digits)]).astype(int):
        chosen = digits == count
        scientific = np.char.mod(f"%.{count - 1}e", values[chosen])
        whole = (integer_digits[chosen] == count) & (values[chosen] < 1e15)
        tidy[chosen] = np.where(whole, np.char.mod("%.0f", values[chosen]), scientific)
    return pd.Series(tidy, index=texts.index, dtype=object)


def parse_numbers(texts: pd.Series, field_name: str) -> pd.DataFrame:
    """value, precision and sig_figs of each cell, read by the curated files' parser from its tidy text
    (each distinct text is parsed once); NaN/None where the cell is not a positive number."""
    tidy = tidy_numbers(texts)
    readings = {}
    for text in tidy.dropna().unique():
        try:
            parsed = parse_value(text, field_name)
            readings[text] = (parsed.value, parsed.precision, parsed.sig_figs)
        except ValueParseError:
            continue
    table = pd.DataFrame.from_dict(readings, orient="index", columns=["value", "precision", "sig_figs"])
    return pd.DataFrame({
        "value": tidy.map(table["value"]).astype("float64"),
        "precision": tidy.map(table["precision"]).astype(object),
        "sig_figs": tidy.map(table["sig_figs"]).astype(object),
        "tidy": tidy,
    }, index=texts.index)


# ---------------------------------------------------------------- identity

def organizations(systems: pd.DataFrame, mapping: dict) -> pd.DataFrame:
    """Per row: organization id (developer = first organization listed), its Epoch name, and the others."""
    # organizations are comma-separated; a name that holds a comma is quoted ("Booz Allen Hamilton, Inc.")
    parts = systems["Organization"].str.split(r',(?=(?:[^"]*"[^"]*")*[^"]*$)', regex=True)
    first = parts.str[0].str.strip().str.strip('"').str.strip()
    others = parts.str[1:].map(lambda rest: ", ".join(p.strip().strip('"') for p in rest if p.strip()))
    known = mapping.get("organizations") or {}
    org_id = first.map(known).fillna(slug(first)).replace("", UNKNOWN_ORGANIZATION)
    return pd.DataFrame({"organization": org_id, "developer": first.where(first != "", None), "others": others},
                        index=systems.index)


def model_ids(systems: pd.DataFrame, orgs: pd.DataFrame, mapping: dict) -> pd.Series:
    """The model id of each row: the mapped curated id, else <organization>-<name slug>, made unique by the
    publication date (then the row) when Epoch lists one name twice."""
    mapped = systems["Model"].map(mapping.get("models") or {})
    name_slug = slug(systems["Model"].str.strip())
    starts = np.char.startswith(name_slug.to_numpy(dtype=str), (orgs["organization"] + "-").to_numpy(dtype=str))
    prefixed = name_slug.where(starts, orgs["organization"] + "-" + name_slug)
    ids = mapped.fillna(prefixed)
    repeated = mapped.isna() & ids.duplicated(keep=False)
    ids[repeated] = ids[repeated] + "-" + systems.loc[repeated, "Publication date"].str.strip()
    still = mapped.isna() & ids.duplicated(keep=False)
    ids[still] = ids[still] + "-row-" + pd.Series(ids[still].index.astype(str), index=ids[still].index)
    return ids


def _domain(domains: pd.Series) -> pd.Series:
    """Our domain from Epoch's comma-separated domains (Language and Vision together are multimodal)."""
    lowered = domains.str.lower()
    language, vision = lowered.str.contains("language"), lowered.str.contains("vision")
    first = lowered.str.split(",").str[0].str.strip().map(DOMAINS).fillna("other")
    return first.where(~(language & vision), "multimodal").where(~lowered.str.contains("multimodal"), "multimodal")


def _open_weights(access: pd.Series) -> pd.Series:
    """True for Epoch's 'Open weights (...)', False for unreleased, API or hosted access, missing otherwise."""
    result = pd.Series(None, index=access.index, dtype=object)
    result[access.str.startswith("Open weights")] = True
    result[access.isin(["Unreleased", "API access", "Hosted access (no API)"])] = False
    return result


# ---------------------------------------------------------------- rows of the loader's tables

def model_rows(systems: pd.DataFrame, ids: pd.Series, orgs: pd.DataFrame, file: str, mapped: pd.Series) -> pd.DataFrame:
    """models rows for the Epoch rows that are not curated models."""
    own = ~mapped
    frame = systems[own]
    name = frame["Model"].str.strip()
    with_others = orgs.loc[own, "others"].ne("")
    developer = orgs.loc[own, "developer"].fillna("an organization Epoch does not name")
    description = ("Imported from Epoch AI's database snapshot (" + file + ", row " + frame.index.astype(str)
                   + "); developer as Epoch lists it first: " + developer
                   + np.where(with_others, "; Epoch also lists: " + orgs.loc[own, "others"], "") + ".")
    return pd.DataFrame({
        "model_id": ids[own], "name": name, "organization": orgs.loc[own, "organization"],
        "released": frame["Publication date"].str.strip(), "domain": _domain(frame["Domain"]),
        "open_weights": _open_weights(frame["Model accessibility"]), "family": None,
        "aliases": frame["Model"].map(lambda n: [n.strip()]), "description": description, "schema_version": 1,
        "file": file, "line": frame.index.to_numpy(), "path_prefix": "[Model]",
    }).reset_index(drop=True)


def organization_rows(orgs: pd.DataFrame, curated: set[str], file: str) -> pd.DataFrame:
    """organizations rows for developers the curated file does not list (first row naming each)."""
    new = orgs[~orgs["organization"].isin(curated)].reset_index()
    new = new.drop_duplicates("organization")
    return pd.DataFrame({"organization": new["organization"],
                         "name": new["developer"].fillna("Unknown (Epoch names no organization)"), "url": None,
                         "file": file, "line": new["row"].to_numpy(), "path_prefix": "[Organization]"})


def _claims(frame: pd.DataFrame, **columns) -> pd.DataFrame:
    """Claim rows for the selected Epoch rows (index = spreadsheet row) with constant or per-row columns."""
    out = pd.DataFrame(index=frame.index)
    for name in CLAIM_COLUMNS:
        out[name] = columns.get(name)
    out["line"] = frame.index.to_numpy()
    return out


def _locator(file: str, commit: str, rows: pd.Index, columns: str | pd.Series) -> pd.Series:
    """'snapshot <file> (Epoch AI, commit abc1234), row 910, column 'Parameters''."""
    return ("snapshot " + file + f" ({EPOCH}, commit {commit[:7]}), row " + pd.Series(rows.astype(str), index=rows)
            + ", " + columns)


def _with_notes(prefix: pd.Series | str, notes: pd.Series) -> pd.Series:
    """Our sentence on who stands behind the figure, then Epoch's own notes verbatim."""
    notes = notes.str.strip()
    return prefix + np.where(notes != "", " Epoch's notes: " + notes, "")


NOT_MARKED = f"{EPOCH}'s figure; the snapshot does not mark whether the developer reported it or {EPOCH} estimated it."


def claim_rows(systems: pd.DataFrame, ids: pd.Series, orgs: pd.DataFrame, file: str, commit: str,
               source_id: str) -> tuple[pd.DataFrame, list[DataError]]:
    """claims rows for every non-empty importable cell, and errors for cells that are not numbers."""
    frames, errors = [], []
    common = dict(source_id=source_id, file=file, status="estimated", attributed_to=EPOCH)

    def numeric(column: str, field_name: str, order: str, note_column: str | None, prefix=NOT_MARKED, **extra):
        cells = systems[column].str.strip()
        chosen = systems[cells != ""]
        if chosen.empty:
            return
        parsed = parse_numbers(cells[chosen.index], field_name)
        bad = parsed["value"].isna()
        errors.extend(DataError(file, int(row), f"[{column}]", f"expected a positive number for {field_name}; "
                                f"found \"{systems.at[row, column]}\"") for row in chosen.index[bad])
        chosen, parsed = chosen[~bad], parsed[~bad]
        notes = chosen[note_column] if note_column else pd.Series("", index=chosen.index)
        values = dict(common, model_id=ids[chosen.index], claim_index=CLAIM_ORDER[order], field=field_name,
                      as_written=chosen[column], value=parsed["value"], precision=parsed["precision"],
                      sig_figs=parsed["sig_figs"], path_prefix=f"[{column}]",
                      locator=_locator(file, commit, chosen.index, f"column '{column}'"),
                      note=_with_notes(prefix, notes), confidence=chosen["Confidence"])
        values.update({key: (value(chosen, parsed) if callable(value) else value) for key, value in extra.items()})
        frames.append(_claims(chosen, **values))

    numeric("Parameters", "params_total", "params_total", "Parameters notes")
    _compute_claims(systems, ids, orgs, file, commit, common, frames, errors)
    numeric("Training chip-hours", "training_gpu_hours", "training_gpu_hours", None,
            prefix=NOT_MARKED + " Chip-hours of the chip in the training_hardware claim.")
    numeric("Hardware quantity", "training_chip_count", "training_chip_count", None)
    numeric("Training time (hours)", "training_duration_days", "training_duration_days", "Training time notes",
            prefix=NOT_MARKED + " Epoch gives the training time in hours; the value is hours / 24.",
            as_written=lambda rows, parsed: rows["Training time (hours)"].str.strip() + " hours",
            value=lambda rows, parsed: parsed["value"] / 24)
    numeric("Training compute cost (2023 USD)", "training_cost_usd", "training_cost_usd", None,
            prefix=f"{EPOCH}'s estimate of the cost of the final training run's compute in {DOLLAR_YEAR} US dollars "
                   "(inflation-adjusted), not the dollars of the year of training.",
            dollar_year=DOLLAR_YEAR)
    _dataset_claims(systems, ids, file, commit, common, frames, errors)
    hardware = systems[systems["Training hardware"].str.strip() != ""]
    if not hardware.empty:
        frames.append(_claims(hardware, **common, model_id=ids[hardware.index], claim_index=CLAIM_ORDER["training_hardware"],
                              field="training_hardware", as_written=hardware["Training hardware"].str.strip(),
                              precision="text", path_prefix="[Training hardware]",
                              locator=_locator(file, commit, hardware.index, "column 'Training hardware'"),
                              note=NOT_MARKED + " Epoch lists the chips separated by commas.",
                              confidence=hardware["Confidence"]))
    claims = pd.concat(frames) if frames else pd.DataFrame(columns=CLAIM_COLUMNS)
    return claims.sort_index(kind="stable").reset_index(drop=True), errors


def _compute_claims(systems, ids, orgs, file, commit, common, frames, errors) -> None:
    """training_compute_flop: Epoch's central figure, its bounds as a range, status by Epoch's method."""
    central, lower, upper = (systems[c].str.strip() for c in
                             ("Training compute (FLOP)", "Training compute lower bound", "Training compute upper bound"))
    chosen = systems[(central != "") | ((lower != "") & (upper != ""))]
    if chosen.empty:
        return
    rows = chosen.index
    mid, low, high = (parse_numbers(series[rows], "training_compute_flop") for series in (central, lower, upper))
    for column, parsed, cells in (("Training compute (FLOP)", mid, central), ("Training compute lower bound", low, lower),
                                  ("Training compute upper bound", high, upper)):
        bad = parsed["value"].isna() & (cells[rows] != "")
        errors.extend(DataError(file, int(row), f"[{column}]", "expected a positive number of FLOP; "
                                f"found \"{systems.at[row, column]}\"") for row in rows[bad])
    has_range = low["value"].notna() & high["value"].notna() & (low["value"] <= high["value"]) & (
        mid["value"].isna() | ((low["value"] <= mid["value"]) & (mid["value"] <= high["value"])))
    has_central = mid["value"].notna()
    keep = has_central | has_range
    methods = chosen["Training compute estimation method"].str.strip()
    reported = methods.str.contains("Reported")
    developer = orgs.loc[rows, "developer"]
    method_text = np.where(methods != "", "method: " + methods, "method not stated")
    prefix = pd.Series(np.where(reported & developer.notna(),
                                "Epoch marks this figure as reported by the developer (" + method_text + ").",
                                f"{EPOCH}'s estimate (" + method_text + ")."), index=rows)
    bounds_note = np.where((lower[rows] != "") | (upper[rows] != ""),
                           np.where(has_range, " Range: Epoch's lower and upper bounds.",
                                    " Epoch's bounds (" + lower[rows].replace("", "none") + " to "
                                    + upper[rows].replace("", "none") + ") do not bracket a single range and are not used."),
                           "")
    base = chosen["Base model"].str.strip()
    fine_tune = base != ""
    base_note = np.where(fine_tune, " A fine-tune of " + base + ": Epoch's training compute includes the compute "
                                    "of the base model, so the stage is whole-run.", "")
    as_written = central[rows].where(has_central, lower[rows] + " to " + upper[rows])
    columns_used = np.where(has_range, "columns 'Training compute (FLOP)', 'Training compute lower bound' and "
                                       "'Training compute upper bound'", "column 'Training compute (FLOP)'")
    value = mid["value"].where(has_central, (low["value"] + high["value"]) / 2)
    claims = _claims(chosen, **{k: v for k, v in common.items() if k not in ("status", "attributed_to")}, model_id=ids[rows],
                     claim_index=CLAIM_ORDER["training_compute_flop"],
                     field="training_compute_flop", as_written=as_written, value=value,
                     low=low["value"].where(has_range), high=high["value"].where(has_range),
                     precision=pd.Series(mid["precision"]).where(~has_range, "range"),
                     sig_figs=mid["sig_figs"].where(~has_range, None),
                     **{"status": np.where(reported & developer.notna(), "reported", "estimated"),
                        "attributed_to": developer.where(reported & developer.notna(), EPOCH)},
                     stage=np.where(fine_tune, "whole-run", None), path_prefix="[Training compute (FLOP)]",
                     locator=_locator(file, commit, rows, pd.Series(columns_used, index=rows)),
                     note=_with_notes(prefix + bounds_note + base_note, chosen["Training compute notes"]),
                     confidence=chosen["Confidence"])
    frames.append(claims[keep.to_numpy()])
    post = systems[systems["Post-training compute (FLOP)"].str.strip() != ""]
    if not post.empty:
        parsed = parse_numbers(post["Post-training compute (FLOP)"].str.strip(), "training_compute_flop")
        frames.append(_claims(post, **common, model_id=ids[post.index], claim_index=CLAIM_ORDER["post_training_compute"],
                              field="training_compute_flop", key="post-training", stage="post-training",
                              as_written=post["Post-training compute (FLOP)"].str.strip(), value=parsed["value"],
                              precision=parsed["precision"], sig_figs=parsed["sig_figs"],
                              path_prefix="[Post-training compute (FLOP)]",
                              locator=_locator(file, commit, post.index, "column 'Post-training compute (FLOP)'"),
                              note=_with_notes(NOT_MARKED, post["Post-training compute notes"]),
                              confidence=post["Confidence"]))


def _dataset_claims(systems, ids, file, commit, common, frames, errors) -> None:
    """Training dataset size: tokens only where Epoch's notes say tokens and no second epoch is stated."""
    column = "Training dataset size (datapoints)"
    cells = systems[column].str.strip()
    chosen = systems[cells != ""]
    if chosen.empty:
        return
    rows = chosen.index
    parsed = parse_numbers(cells[rows], "training_tokens")
    bad = parsed["value"].isna()
    errors.extend(DataError(file, int(row), f"[{column}]", f"expected a positive number; found \"{systems.at[row, column]}\"")
                  for row in rows[bad])
    notes = chosen["Dataset size notes"].fillna("")
    epochs = pd.to_numeric(chosen["Epochs"].str.strip(), errors="coerce")
    says_words = notes.str.contains(r"\bwords?\b", case=False, regex=True)
    says_tokens = notes.str.contains(r"\btokens?\b", case=False, regex=True) & ~says_words
    one_pass = epochs.isna() | (epochs == 1)
    as_tokens = says_tokens & one_pass
    mentions_tokens = notes.str.contains(r"\btokens?\b", case=False, regex=True)
    unit = np.select([says_words & mentions_tokens, says_words, says_tokens,
                      notes.str.contains(r"\bimages?\b", case=False, regex=True)],
                     ["words or tokens (Epoch's notes speak of both)", "words", "tokens", "images"],
                     "datapoints (unit not stated)")
    epochs_text = np.where(epochs.notna(), "; epochs: " + chosen["Epochs"].str.strip(), "; epochs not stated")
    prefix = pd.Series(np.where(as_tokens, NOT_MARKED + " Epoch's notes count this dataset in tokens.",
                                NOT_MARKED + " The size of the training dataset, not the tokens seen; unit: " + unit
                                + epochs_text + "."), index=rows)
    claims = _claims(chosen, **common, model_id=ids[rows], claim_index=CLAIM_ORDER["training_dataset"],
                     field=np.where(as_tokens, "training_tokens", "training_dataset_size"), as_written=cells[rows],
                     value=parsed["value"], precision=parsed["precision"], sig_figs=parsed["sig_figs"],
                     path_prefix=f"[{column}]", locator=_locator(file, commit, rows, f"column '{column}'"),
                     note=_with_notes(prefix, notes), confidence=chosen["Confidence"])
    frames.append(claims[(~bad).to_numpy()])


def _peak_numbers(chips: pd.DataFrame) -> pd.DataFrame:
    """The chip dataset's performance and memory columns as floats (blank -> NaN)."""
    return pd.DataFrame({name: pd.to_numeric(chips[column].str.strip(), errors="coerce")
                         for column, name in CHIP_COLUMNS.items()}, index=chips.index)


def hardware_rows(chips: pd.DataFrame, systems: pd.DataFrame | None, mapping: dict, curated: set[str],
                  chips_file: str, chips_source: str, prices_source: str | None, prices: pd.DataFrame | None
                  ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """hardware rows (loader columns) and their extra columns, for every chip the models or prices snapshot
    names and every chip Epoch marks as ML hardware, except chips mapped to a curated record."""
    chips = chips.copy()
    chips["name"] = chips["Hardware name"].str.strip()
    named = set()
    if systems is not None:
        named = set(systems["Training hardware"].str.split(",").explode().str.strip().dropna()) - {""}
    known = mapping.get("hardware") or {}
    if prices is not None:
        named |= set(prices["Hardware model"].str.strip()) - {""}
    chosen = chips[(chips["name"].isin(named) | (chips["ML hardware"].str.strip() == "checked"))
                   & ~chips["name"].isin(known)].drop_duplicates("name")
    ids = slug(chosen["name"])
    chosen = chosen[~ids.isin(curated) & ~ids.duplicated()]
    ids = ids[chosen.index]
    peaks = _peak_numbers(chosen)
    peak_16 = peaks["peak_tensor_16bit_flops"].combine_first(peaks["peak_fp16_flops"])
    band = price_band(prices, chips) if prices is not None else pd.DataFrame(columns=["low", "high"])
    low = chosen["name"].map(band["low"]) if not band.empty else pd.Series(np.nan, index=chosen.index)
    high = chosen["name"].map(band["high"]) if not band.empty else pd.Series(np.nan, index=chosen.index)
    vendor = chosen["Manufacturer"].str.strip().replace("", "unknown")
    rows = pd.DataFrame({
        "hardware_id": ids, "name": chosen["name"], "vendor": vendor, "aliases": chosen["name"].map(lambda n: [n]),
        "peak_bf16_flops": peak_16.where(peak_16 > 0), "price_usd_per_hour_low": low.where(low > 0),
        "price_usd_per_hour_high": high.where(high > 0), "source_id": chips_source,
        "price_source_id": np.where(low.notna(), prices_source, None),
        "note": ("Imported from Epoch AI's chip dataset; peak_bf16_flops is its 'Tensor-FP16/BF16' figure, else its "
                 "'FP16 (half precision)' figure. Price band: the lowest and highest cloud price per chip-hour "
                 "(on-demand or committed use) in Epoch's hardware prices, any vendor and date."),
        "schema_version": 1, "file": chips_file, "line": chosen.index.to_numpy(), "path_prefix": "[Hardware name]",
    }).reset_index(drop=True)
    extras = peaks.assign(hardware_id=ids, release_date=chosen["Release date"].str.strip().replace("", None),
                          chip_type=chosen["Type"].str.strip().replace("", None),
                          origin=f"epoch-ai snapshot {chips_file}").reset_index(drop=True)
    return rows, extras


def price_rows(prices: pd.DataFrame, chips_ids: pd.Series, file: str) -> pd.DataFrame:
    """The hardware_prices table: one row per price of the snapshot, with its chip's hardware id."""
    numbers = pd.DataFrame({name: pd.to_numeric(prices[column].str.strip().str.lstrip("$").str.replace(",", ""),
                                                errors="coerce") for column, name in PRICE_COLUMNS.items()})
    date = pd.to_datetime(prices["Price date"].str.strip(), errors="coerce")
    name = prices["Hardware model"].str.strip()
    return pd.DataFrame({
        "hardware_id": name.map(chips_ids), "hardware_name": name,
        "vendor": prices["Vendor"].str.strip().replace("", None), "location": prices["Location"].str.strip().replace("", None),
        "price_date": date.dt.date, "year": date.dt.year.astype("Int64"), **numbers,
        "price_source": prices["Price source"].str.strip().replace("", None),
        "notes": prices["Notes"].str.strip().replace("", None), "file": file, "line": prices.index.to_numpy(),
        "origin": f"epoch-ai snapshot {file}",
    }).reset_index(drop=True)


CLOUD_PRICES = ["on_demand_usd_per_hour", "committed_1y_usd_per_hour", "committed_3y_usd_per_hour"]


def price_band(prices: pd.DataFrame, chips: pd.DataFrame) -> pd.DataFrame:
    """Per chip name: the lowest and highest cloud price per chip-hour in the price snapshot."""
    numbers = pd.DataFrame({name: pd.to_numeric(prices[column].str.strip().str.lstrip("$").str.replace(",", ""),
                                                errors="coerce") for column, name in PRICE_COLUMNS.items()})
    frame = numbers[CLOUD_PRICES].assign(name=prices["Hardware model"].str.strip())
    long = frame.melt(id_vars="name", value_name="price").dropna(subset=["price"])
    long = long[long["price"] > 0]
    return long.groupby("name")["price"].agg(low="min", high="max")


def price_band_by_year(chips: pd.DataFrame, hardware_prices: pd.DataFrame, released: pd.Series) -> pd.DataFrame:
    """Each model's chip price band from the cloud prices of its release year (else the nearest year with
    prices for that chip); models without such prices keep their chip's record band.

    chips: model_id -> hardware_id, price_low, price_high (check.model_hardware); released: model_id -> date.
    """
    if chips.empty or hardware_prices is None or hardware_prices.empty:
        return chips
    long = hardware_prices.melt(id_vars=["hardware_id", "year"], value_vars=CLOUD_PRICES, value_name="price")
    long = long.dropna(subset=["hardware_id", "year", "price"])
    long = long[long["price"] > 0]
    if long.empty:
        return chips
    by_year = long.groupby(["hardware_id", "year"])["price"].agg(low="min", high="max").reset_index()
    wanted = pd.DataFrame({"model_id": chips.index, "hardware_id": chips["hardware_id"].to_numpy(),
                           "year": pd.to_datetime(chips.index.map(released), errors="coerce").year})
    paired = wanted.merge(by_year, on="hardware_id", suffixes=("", "_price"))
    paired["distance"] = (paired["year"] - paired["year_price"]).abs()
    nearest = paired.sort_values(["model_id", "distance", "year_price"]).drop_duplicates("model_id").set_index("model_id")
    out = chips.copy()
    out["price_low"] = nearest["low"].reindex(out.index).combine_first(out["price_low"])
    out["price_high"] = nearest["high"].reindex(out.index).combine_first(out["price_high"])
    out["price_year"] = nearest["year_price"].reindex(out.index)
    return out


def yearly_chip_prices(chips: pd.DataFrame, tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """check.model_hardware's chips with an imported chip's price band taken from the cloud prices of the
    model's release year (nearest year with prices); curated chips keep their sourced band."""
    prices, hardware = tables.get("hardware_prices"), tables["hardware"]
    if chips.empty or prices is None or prices.empty or "origin" not in hardware.columns:
        return chips
    imported = set(hardware.loc[hardware["origin"].notna(), "hardware_id"])
    released = tables["models"].set_index("model_id")["released"]
    yearly = price_band_by_year(chips, prices[prices["hardware_id"].isin(imported)], released)
    return yearly.drop(columns=["price_year"], errors="ignore")


# ---------------------------------------------------------------- the stage

@dataclass
class Imported:
    """What the import added to the loader's tables, and the columns the published tables gain."""

    claim_extras: pd.DataFrame      # file, line, claim_index -> confidence, dollar_year, origin
    model_origin: pd.DataFrame      # model_id -> origin
    organization_origin: pd.DataFrame
    hardware_extras: pd.DataFrame   # hardware_id -> peak FLOP/s by precision, memory, release date, origin
    hardware_prices: pd.DataFrame
    imports: pd.DataFrame           # one row per snapshot file: where it was read from, its SHA-256, rows


def empty_imported(status: list[dict] | None = None) -> Imported:
    """Nothing imported (no snapshot in this repository, or its files are absent)."""
    return Imported(pd.DataFrame(columns=["file", "line", "claim_index", "confidence", "dollar_year", "origin"]),
                    pd.DataFrame(columns=["model_id", "origin"]), pd.DataFrame(columns=["organization_id", "origin"]),
                    pd.DataFrame(columns=["hardware_id", "origin"]), pd.DataFrame(columns=["hardware_id", "year"]),
                    pd.DataFrame(status or [], columns=IMPORT_STATUS_COLUMNS))


IMPORT_STATUS_COLUMNS = ["snapshot", "file", "role", "source_id", "commit", "last_changed", "sha256", "rows",
                         "read_from", "status"]


def import_into(dataset, root: Path) -> Imported:
    """Add the snapshot's rows to a loaded Dataset (its tables and errors) and return what was added."""
    snapshot = read_snapshot(Path(root))
    if snapshot is None:
        return empty_imported()
    dataset.errors.extend(snapshot.errors)
    tables = dataset.tables
    systems, chips, prices = (snapshot.frames.get(role) for role in ("models", "chips", "prices"))
    sources = {entry["role"]: entry["source"] for entry in snapshot.manifest["files"]}
    origin = f"epoch-ai snapshot {snapshot.manifest['snapshot']}"
    imported = empty_imported(snapshot.status)
    curated_models = set(tables["models"]["model_id"].dropna())
    if systems is not None:
        file = snapshot.files["models"]
        systems = without_skipped_cells(systems, snapshot.mapping.get("skip_cells") or {})
        orgs = organizations(systems, snapshot.mapping)
        ids = model_ids(systems, orgs, snapshot.mapping)
        mapped = systems["Model"].isin((snapshot.mapping.get("models") or {}).keys())
        unknown = mapped & ~ids.isin(curated_models)
        dataset.errors.extend(DataError(file, int(row), "[Model]", f"models.yaml maps \"{systems.at[row, 'Model']}\" to "
                                        f"\"{ids[row]}\", which is not a curated model") for row in systems.index[unknown])
        clash = ~mapped & ids.isin(curated_models)
        dataset.errors.extend(DataError(file, int(row), "[Model]", f"the imported id \"{ids[row]}\" is a curated model's: "
                                        "map the name to it in data/imports/epoch-ai/models.yaml or list it under not_the_same")
                              for row in systems.index[clash])
        models = model_rows(systems, ids, orgs, file, mapped)
        organizations_new = organization_rows(orgs[~mapped], set(tables["organizations"]["organization"].dropna()), file)
        claims, errors = claim_rows(systems, ids, orgs, file, snapshot.manifest["commit"], sources["models"])
        dataset.errors.extend(errors)
        claims = without_curated_twins(claims, tables["claims"], snapshot.mapping.get("same_document_sources") or [])
        tables["models"] = _append(tables["models"], models)
        tables["organizations"] = _append(tables["organizations"], organizations_new)
        tables["claims"] = _append(tables["claims"], claims.drop(columns=["confidence", "dollar_year"]))
        imported.claim_extras = claims[["file", "line", "claim_index", "confidence", "dollar_year"]].assign(
            origin=origin + f" {file}")
        imported.model_origin = pd.DataFrame({"model_id": models["model_id"], "origin": origin + f" {file}"})
        imported.organization_origin = pd.DataFrame({"organization_id": organizations_new["organization"],
                                                     "origin": origin + f" {file}"})
    if chips is not None:
        curated_chips = set(tables["hardware"]["hardware_id"].dropna())
        hardware, extras = hardware_rows(chips, systems, snapshot.mapping, curated_chips, snapshot.files["chips"],
                                         sources["chips"], sources.get("prices"), prices)
        tables["hardware"] = _append(tables["hardware"], hardware)
        imported.hardware_extras = extras
        if prices is not None:
            known = dict(zip(hardware["name"], hardware["hardware_id"]))
            known.update(snapshot.mapping.get("hardware") or {})
            imported.hardware_prices = price_rows(prices, pd.Series(known, dtype=object), snapshot.files["prices"])
    return imported


def without_curated_twins(imported: pd.DataFrame, curated: pd.DataFrame, same_document: list[str]) -> pd.DataFrame:
    """Imported claims less those a curator already took from the same file (a curated claim whose source is
    listed under same_document_sources in models.yaml, on the same model, field and key): one figure, one claim."""
    if not same_document or curated.empty:
        return imported
    taken = curated[curated["source_id"].isin(same_document)]
    keys = ["model_id", "field", "key"]
    marked = imported[keys].astype(str).merge(taken[keys].astype(str).drop_duplicates().assign(taken=True),
                                              on=keys, how="left")["taken"].fillna(False).to_numpy(dtype=bool)
    return imported[~marked].reset_index(drop=True)


def without_skipped_cells(systems: pd.DataFrame, skipped: dict[str, str]) -> pd.DataFrame:
    """The models snapshot with the cells models.yaml lists under skip_cells ("<row> <column>") blanked."""
    if not skipped:
        return systems
    systems = systems.copy()
    for cell in skipped:
        row, column = cell.split(" ", 1)
        systems.at[int(row), column] = ""
    return systems


def _append(table: pd.DataFrame, rows: pd.DataFrame) -> pd.DataFrame:
    """The loader table with imported rows after its own (object columns, like the loader's)."""
    if rows.empty:
        return table
    rows = rows.reindex(columns=table.columns).astype(object)
    combined = pd.concat([table, rows], ignore_index=True)
    combined.attrs = dict(table.attrs)
    return combined


def annotate(tables: dict[str, pd.DataFrame], imported: Imported) -> dict[str, pd.DataFrame]:
    """Published tables with the import's columns: claims.confidence, claims.dollar_year and .origin
    (NULL for curated rows), models/organizations/hardware.origin, the hardware spec columns, and the
    hardware_prices and imports tables."""
    claims = tables["claims"]
    extras = imported.claim_extras.astype({"line": "int64", "claim_index": "int64"})
    claims = claims.merge(extras, on=["file", "line", "claim_index"], how="left")
    tables["claims"] = claims.astype({"confidence": "string", "origin": "string", "dollar_year": "Int64"})
    for name, key, frame in (("models", "model_id", imported.model_origin),
                             ("organizations", "organization_id", imported.organization_origin)):
        tables[name] = tables[name].merge(frame, on=key, how="left").astype({"origin": "string"})
    hardware = tables["hardware"].merge(imported.hardware_extras, on="hardware_id", how="left")
    tables["hardware"] = hardware.astype({"origin": "string"})
    tables["hardware_prices"] = imported.hardware_prices
    tables["imports"] = imported.imports
    return tables
