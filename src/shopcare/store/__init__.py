"""The data directory: atomic, locked, journalled TOML records with a rebuildable index."""

from shopcare.store.records import KINDS, UNCHANGED, Kind, Store

__all__ = ["KINDS", "UNCHANGED", "Kind", "Store"]
