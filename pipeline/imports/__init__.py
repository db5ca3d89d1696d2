"""Importers of third-party databases: each reads an immutable snapshot under data/imports/<name>/ at build
time and turns its rows into attributed claims in the same tables as the curated YAML files."""
