"""Alembic migrations of the warehouse schema, shipped inside the package.

``warehouse.migrate`` runs them programmatically with ``script_location`` set to
this package's directory, so an installed copy works outside the checkout.
"""
