"""Loaders: turn LivePerson exports (JSON, JSON Lines, gzip) into typed rows.

Parsing is separate from writing: the modules here produce ``ParsedRecord`` and
``Rejected`` items (``loaders.records``) and never touch a database; the shared
writer in ``warehouse.writer`` puts them in the warehouse.
"""
