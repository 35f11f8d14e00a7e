"""Loading bookkeeping: every file a load looked at, and everything it could not load."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Index, Integer, Sequence
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, json_text, long, text, ts  # noqa: F401

# DuckDB has no SERIAL: load ids come from an explicit sequence on both databases.
LOAD_ID_SEQUENCE = Sequence("load_file_load_id_seq")


class LoadFile(Base):
    __tablename__ = "load_file"
    __table_args__ = (
        Index(None, "sha256").ddl_if(dialect="postgresql"),
        {"comment": "One row per file a load looked at"},
    )

    load_id: Mapped[int] = mapped_column(
        BigInteger(), LOAD_ID_SEQUENCE, primary_key=True, comment="Id of this load of the file"
    )
    path: Mapped[str] = text("Path of the file as given to the loader (resolved)")
    sha256: Mapped[str | None] = text("SHA-256 of the file's bytes")
    size_bytes: Mapped[int | None] = long("Size of the file in bytes")
    kind: Mapped[str | None] = text(
        "Detected kind: conversations, web_session, listing, data_access (other data type), unknown"
    )
    status: Mapped[str] = text(
        "loading, loaded, rejected (nothing written), skipped (same sha256 already loaded), "
        "listing, unsupported"
    )
    records_seen: Mapped[int] = long("Records read from the file", default=0)
    records_loaded: Mapped[int] = long("Records written", default=0)
    records_rejected: Mapped[int] = long("Records rejected (see load_rejection)", default=0)
    warnings: Mapped[int] = long("Values that could not be cast, and other warnings", default=0)
    started_at: Mapped[datetime | None] = ts("When the load of the file started")
    finished_at: Mapped[datetime | None] = ts("When the load of the file ended")
    error: Mapped[str | None] = text("Why the file was rejected, with the byte offset or line")
    detail: Mapped[str | None] = json_text(
        "Counts per table, conversations inserted/updated/unchanged, data type, ..."
    )


class LoadRejection(Base):
    __tablename__ = "load_rejection"
    __table_args__ = {"comment": "One row per record or file that could not be loaded"}

    load_id: Mapped[int] = mapped_column(
        BigInteger(),
        ForeignKey("load_file.load_id"),
        primary_key=True,
        comment="load_file.load_id",
    )
    ordinal: Mapped[int] = mapped_column(
        Integer(), primary_key=True, autoincrement=False, comment="Rejection number in the load"
    )
    path: Mapped[str] = text("File the rejected input came from")
    position: Mapped[str | None] = text("Where in the file: byte offset, line, record number")
    reason: Mapped[str] = text("Why it could not be loaded")
    raw: Mapped[str | None] = text("The rejected input as text")
