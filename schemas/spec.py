"""Which keys each kind of data file may have: the single definition behind the loader, the
pandera models and the JSON Schema editors use."""
from __future__ import annotations

from pipeline.fields import ACCESS_MODES, COMPONENTS, CONTEXT_WINDOWS, DOMAINS, FIELDS, SCOPES, SOURCE_KINDS, STAGES, \
    STATUSES

SCHEMA_VERSION = 1
SLUG = r"^[a-z0-9][a-z0-9._-]*[a-z0-9]$|^[a-z0-9]$"

# key -> (JSON type(s), required, description)
MODEL_KEYS: dict[str, tuple[str | tuple[str, ...], bool, str]] = {
    "schema_version": ("integer", True, "Format version of this file; currently 1."),
    "id": ("string", True, "Model id: lowercase slug, equal to the file name."),
    "name": ("string", True, "Display name as the developer writes it."),
    "organization": ("string", True, "Organization id from data/organizations.yaml; equal to the folder name."),
    "released": (("string", "integer"), True, "Release date: YYYY-MM-DD, YYYY-MM or YYYY."),
    "domain": ("string", True, "One of: " + ", ".join(DOMAINS) + "."),
    "open_weights": ("boolean", True, "Whether the weights are publicly downloadable."),
    "family": ("string", False, "Family slug grouping sizes of one model line."),
    "aliases": ("array", False, "Other names sources use for this model."),
    "description": ("string", False, "One sentence on what the model is."),
    "architecture": ("object", False, "Published architecture hyperparameters for the formula engine."),
    "claims": ("array", True, "Numeric and text claims about the model, each with a source."),
}
ARCHITECTURE_KEYS = {
    "source": ("string", True, "Source id of the published config."),
    "hf_config": ("object", True, "The published Hugging Face config.json."),
    "overrides": ("object", False, "Keys that differ in the released weights."),
    "note": ("string", False, "Why overrides are needed, or anything else a reader should know."),
}
CLAIM_KEYS = {
    "field": ("string", True, "One of: " + ", ".join(FIELDS) + "."),
    "value": (("string", "number"), True, "The value exactly as the source wrote it."),
    "status": ("string", True, "One of: " + ", ".join(STATUSES) + "."),
    "source": ("string", True, "Source id (a file in data/sources/)."),
    "locator": ("string", True, "Where in the source: section, table, page."),
    "attributed_to": ("string", False, "Whom the source credits for the number."),
    "key": ("string", False, "Tells apart two claims with the same field and source."),
    "stage": ("string", False, "Training stage the figure covers: " + ", ".join(STAGES) + " (default pre-training)."),
    "scope": ("string", False, "model (default) or family: a statement about the whole family, not this size."),
    "component": ("string", False, "The part of the system counted: " + ", ".join(COMPONENTS) + " (default: the whole model)."),
    "context_window": ("string", False, "For context_length only, which window the figure is: " + ", ".join(CONTEXT_WINDOWS)
               + " (absent: the source does not say)."),
    "note": ("string", False, "Anything a reader should know about this claim."),
}
SOURCE_KEYS = {
    "schema_version": ("integer", True, "Format version of this file; currently 1."),
    "id": ("string", True, "Source id: lowercase slug, equal to the file name."),
    "title": ("string", True, "Title as published."),
    "authors": ("array", False, "Authors, in order."),
    "publisher": ("string", False, "Publisher or organization ('unknown' if nobody can name it)."),
    "published": (("string", "integer"), True, "YYYY-MM-DD, YYYY-MM, YYYY or 'undated'."),
    "kind": ("string", True, "One of: " + ", ".join(SOURCE_KINDS) + "."),
    "url": ("string", False, "http(s) address, only when certain."),
    "arxiv": ("string", False, "arXiv identifier, e.g. '2307.09288'."),
    "repository": ("string", False, "owner/name of the repository a config or card was read from."),
    "path": ("string", False, "File inside that repository."),
    "accessed_via": ("string", True, "How it was read: " + ", ".join(ACCESS_MODES) + "."),
    "copy": ("string", False, "With accessed_via: copy, which copy was read (repository, archive, mirror)."),
    "note": ("string", False, "Anything a reader should know about this source."),
}
ORGANIZATIONS_KEYS = {
    "schema_version": ("integer", True, "Format version of this file; currently 1."),
    "organizations": ("array", True, "Organizations, one entry each."),
}
ORGANIZATION_KEYS = {
    "id": ("string", True, "Organization id: lowercase slug, also the folder under data/models/."),
    "name": ("string", True, "Display name."),
    "url": ("string", False, "Home page, http(s)."),
}
HARDWARE_KEYS = {
    "schema_version": ("integer", True, "Format version of this file; currently 1."),
    "id": ("string", True, "Chip id: lowercase slug, equal to the file name."),
    "name": ("string", True, "Chip name as the vendor writes it."),
    "vendor": ("string", True, "Vendor."),
    "aliases": ("array", False, "Other names sources use (matched case-insensitively)."),
    "peak_bf16_flops": (("string", "number"), True, "Peak dense BF16/FP16 tensor FLOP/s (e.g. '312e12')."),
    "price_usd_per_hour_low": ("number", False, "Low end of a typical cloud price per chip-hour."),
    "price_usd_per_hour_high": ("number", False, "High end of a typical cloud price per chip-hour."),
    "source": ("string", True, "Source id of the peak FLOP/s figure."),
    "price_source": ("string", False, "Source id of the price band."),
    "note": ("string", False, "Anything a reader should know."),
}
