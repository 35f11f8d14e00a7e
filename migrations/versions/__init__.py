"""Alembic revisions of the warehouse schema, one module per revision."""
