"""``load_rejection`` rows: set aside as parsing finds them, written with their file.

A rejection references its file's ``load_file`` row, which is written only once the
file is done (its counts are known then). Holding every rejection, raw text included,
until then cost memory without bound: 100,000 bad records of 1 KB took 812 MB, and a
JSON Lines file of several GB can be bad throughout. So the rows wait in a temporary
table of the file's own transaction (a rollback takes them with it, as it takes the
file's rows), a few thousand at a time; what a run keeps in memory per file is a count
and the first :data:`SAMPLES` positions and reasons, for its summary.
"""

from __future__ import annotations

from functools import cache

import pyarrow as pa

from loaders.records import Rejected
from warehouse.backend import Backend
from warehouse.tables import tables

#: Rejections (or bytes of their raw text) held before they go to the spool table.
SPOOL_ROWS = 5_000
SPOOL_BYTES = 8 * 2**20
#: Rejections of a file kept in its summary (the rest are counted; all are in the table).
SAMPLES = 100

_SPOOL = "_lpwh_rejection_spool"
#: The columns of ``load_rejection`` a rejection brings (``path`` is its file's).
_COLUMNS = ("load_id", "ordinal", "position", "reason", "raw")
_NAMES = ", ".join(_COLUMNS)


@cache
def _schema() -> pa.Schema:
    """The spool's Arrow schema: those columns as ``warehouse.tables`` types them."""
    table = tables()["load_rejection"].schema
    return pa.schema([table.field(c) for c in _COLUMNS])


class RejectionLog:
    """The rejections of one transaction's files, until their ``load_file`` rows exist."""

    def __init__(self, backend: Backend) -> None:
        self.backend = backend
        self.pending: list[tuple[int, int, str | None, str, str | None]] = []
        self.pending_bytes = 0
        self.spooled = False

    def add(self, load_id: int, counted: int, rejections: list[Rejected]) -> None:
        """Set aside ``rejections`` of the file ``load_id``, numbered from ``counted``."""
        for ordinal, r in enumerate(rejections, start=counted):
            self.pending.append((load_id, ordinal, r.position, r.reason, r.raw))
            self.pending_bytes += len(r.raw or "")
        if len(self.pending) >= SPOOL_ROWS or self.pending_bytes >= SPOOL_BYTES:
            self._spool()

    def write(self, load_ids: list[int]) -> None:
        """Insert the rejections of the files ``load_ids`` into ``load_rejection``, once
        their ``load_file`` rows are written (the path is theirs); the rest are dropped."""
        if not self.pending and not self.spooled:
            return
        self._spool()
        self.backend.execute(
            "INSERT INTO load_rejection (load_id, ordinal, path, position, reason, raw) "
            "SELECT s.load_id, s.ordinal, f.path, s.position, s.reason, s.raw "
            f"FROM {_SPOOL} s JOIN load_file f ON f.load_id = s.load_id "
            "WHERE s.load_id = ANY(?::bigint[])",
            [load_ids],
        )
        self.backend.execute(f"DROP TABLE {_SPOOL}")
        self.spooled = False

    def _spool(self) -> None:
        if not self.pending:
            return
        schema = _schema()
        columns = list(zip(*self.pending, strict=True))
        staged = pa.Table.from_arrays(
            [pa.array(c, f.type) for c, f in zip(columns, schema, strict=True)], schema=schema
        )
        self.pending, self.pending_bytes = [], 0
        if not self.spooled:
            # Created in the transaction: a rollback drops it with the rows it holds. (One
            # left over by a transaction that ended some other way would hold stale rows.)
            self.backend.execute(f"DROP TABLE IF EXISTS {_SPOOL}")
            self.backend.execute(
                f"CREATE TEMP TABLE {_SPOOL} AS SELECT {_NAMES} FROM load_rejection WHERE false"
            )
            self.spooled = True
        relation = self.backend.stage(_SPOOL, staged)
        self.backend.execute(f"INSERT INTO {_SPOOL} ({_NAMES}) SELECT {_NAMES} FROM {relation}")
        self.backend.unstage(relation)


def keep_samples(samples: list[Rejected], rejections: list[Rejected]) -> None:
    """Add to a file's ``samples`` the first of ``rejections``, up to :data:`SAMPLES`, without
    their raw text."""
    room = SAMPLES - len(samples)
    if room > 0:
        samples.extend(Rejected(r.position, r.reason, None) for r in rejections[:room])
