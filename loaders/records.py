"""What parsers hand to the writer: typed rows per table, warnings and rejections.

Row conventions, shared by every parser and the writer:

- a row is a ``dict`` whose keys are column names of the table it is filed under
  (a missing key means NULL);
- timestamps are ``int`` epoch milliseconds, UTC (the writer makes them
  ``TIMESTAMP``); dates are ``datetime.date``; JSON columns hold ``str`` JSON text;
- the writer fills ``load_id`` and, for a conversation, ``record_version`` and
  ``record_hash`` from the ``ParsedRecord``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Rows = dict[str, list[dict]]


@dataclass(slots=True)
class Rejected:
    """Input that could not be loaded: a record, an SDE event, a body, or a whole file."""

    position: str
    reason: str
    raw: str | None = None


@dataclass(slots=True)
class ParsedRecord:
    """One unit of input turned into rows.

    ``kind`` ``"conversation"``: one conversation record; ``key`` is its
    conversation id, ``version`` the latest epoch-ms timestamp anywhere in it and
    ``digest`` a digest of its content (the tie-break between equal versions).
    The writer replaces a stored conversation, with all its rows, when
    ``(version, digest)`` is greater than or equal to the stored one.

    ``kind`` ``"web"``: one web-session body; its rows are facts that accumulate
    (``web_session_source`` rows are merged into ``web_session`` by the writer).
    """

    kind: Literal["conversation", "web"]
    position: str
    tables: Rows
    key: str | None = None
    version: int | None = None
    digest: str | None = None
    warnings: list[str] = field(default_factory=list)
    rejections: list[Rejected] = field(default_factory=list)


@dataclass(slots=True)
class Notice:
    """A warning about the input that belongs to no record (a page marked partial, say): it
    counts among the file's warnings, not among its records."""

    position: str
    warning: str


#: What a parser yields: a record's rows, a rejection, or a notice.
Item = ParsedRecord | Rejected | Notice
