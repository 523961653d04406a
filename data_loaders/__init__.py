"""Loaders: Excel/CSV ingest and SQL sync into the canonical schema, with one report format."""
