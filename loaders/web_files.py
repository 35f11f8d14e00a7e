"""Data Access API web-session files → the bodies to parse, in the order of the file.

A file is ``{"dataType", "metaData", "recordCollection": [{"body": {…}}, …]}`` (one or
several such documents); it is streamed element by element (:func:`iter_data_access`), so
a 1 GB file is read in bounded memory. Each document's ``dataType`` and ``metaData`` make
its :class:`FileMeta`; each ``recordCollection`` element with a ``body`` becomes a
:class:`WebBody`, which :mod:`loaders.web_sessions` parses into rows. What is not a body
— an element over the record size limit, a document that is not Data Access or is of
another data type, an element without a body — is rejected where it is found.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from loaders import avro
from loaders.records import Item, Notice, ParsedRecord, Rejected
from loaders.sources import iter_json_parts
from loaders.values import CastError, cast_epoch_ms, dumps
from loaders.web_sessions import WEB_SESSION, parse_web_body, text_or_none


@dataclass(frozen=True, slots=True)
class FileMeta:
    """What a Data Access document says about itself (``dataType`` and ``metaData``)."""

    data_type: str | None = None
    account_id: str | None = None
    start_time: int | None = None  # epoch ms
    end_time: int | None = None  # epoch ms
    schema_version: str | None = None
    extra: dict = field(default_factory=dict)  # other metaData members
    #: What could not be read of it (a ``startTime`` that is no time), as warnings.
    problems: tuple[str, ...] = ()


def file_meta(document: Any) -> FileMeta:
    """The :class:`FileMeta` of a Data Access document (its ``recordCollection`` unused)."""
    if not isinstance(document, dict):
        return FileMeta()
    meta = avro.unwrap(document.get("metaData"))
    meta = meta if isinstance(meta, dict) else {}
    data_type = _first_text(document.get("dataType"))

    problems: list[str] = []

    def epoch(key: str, consequence: str = "") -> int | None:
        value = meta.get(key)
        try:
            return cast_epoch_ms(value) if value is not None else None
        except CastError:
            shown = dumps(value)
            shown = shown if len(shown) <= 100 else shown[:100] + "…"
            problems.append(f"metaData.{key} {shown} is not a time: NULL{consequence}")
            return None

    known = ("accountId", "startTime", "endTime", "schemaVersion")
    return FileMeta(
        data_type=data_type,
        account_id=text_or_none(meta.get("accountId")),
        # (It orders the files that tell of a visit: see the contract's upsert rules.)
        start_time=epoch("startTime", "; where files differ on a visit, this one's loses"),
        end_time=epoch("endTime"),
        schema_version=text_or_none(meta.get("schemaVersion")),
        extra={k: v for k, v in meta.items() if k not in known},
        problems=tuple(problems),
    )


def _first_text(value: Any) -> str | None:
    """The data type a ``dataType`` names, read as detection reads it (``loaders.detect``):
    its first string, at any depth — ``"WebSession"``, ``{"com…DataTypeEnum": "WebSession"}``,
    or a malformed union around it. None when it has no string (the bodies' own record
    names decide): a file detected as web sessions is then read as one, never all its
    bodies refused as "another data type"."""
    stack = [value]  # depth first, in document order, without recursion (any depth)
    while stack:
        value = stack.pop()
        if type(value) is str:
            return value
        if isinstance(value, dict):
            stack.extend(reversed(value.values()))
        elif isinstance(value, list):
            stack.extend(reversed(value))
    return None


def _is_data_access(document: Any) -> bool:
    return isinstance(document, dict) and (
        "recordCollection" in document or "dataType" in document or "metaData" in document
    )


def iter_data_access(path: str | os.PathLike) -> Iterator[tuple[FileMeta | None, str, Any]]:
    """``(meta, position, element)`` for every ``recordCollection`` element of the file,
    streamed; ``meta`` is the :class:`FileMeta` of the element's document (read before its
    elements even when ``metaData`` comes after ``recordCollection``). A top-level value
    that is not a Data Access document comes as ``(None, position, value)``.
    Raises :class:`~loaders.sources.InputError`."""
    meta: FileMeta | None = None
    for position, key, value in iter_json_parts(path):
        if key is None:
            if _is_data_access(value):
                meta = file_meta(value)
                records = value.get("recordCollection")
                if records is not None and not isinstance(records, list):
                    yield meta, f"{position}, recordCollection", NotAnArray(records)
            else:
                yield None, position, value
        elif key == "recordCollection" and meta is not None:
            yield meta, position, value
        else:
            yield None, position, value


@dataclass(frozen=True, slots=True)
class NotAnArray:
    """A document's ``recordCollection`` that is not an array (rejected with its text)."""

    value: Any


@dataclass(frozen=True, slots=True)
class WebBody:
    """A body to parse: ``recordCollection[i]["body"]`` of a web-session document."""

    meta: FileMeta
    position: str
    body: Any
    #: Keys of the ``recordCollection`` entry next to ``body``, if it has any.
    entry: dict | None = None


def iter_web_bodies(path: str | os.PathLike) -> Iterator[WebBody | Rejected | Notice]:
    """Every body of a web-session file, unparsed, and the rejections of what is not one
    (an element over the record size limit, a document that is not Data Access or of
    another data type, an element without a body), in the order of the file; before a
    document's first body, a notice of each of its ``metaData``'s problems."""
    from loaders.batch import safe_json
    from loaders.sources import Unread

    refused: FileMeta | None = None
    noticed: FileMeta | None = None
    for meta, position, element in iter_data_access(path):
        if isinstance(element, Unread):  # over the record size limit: never built
            yield Rejected(position, element.reason, element.raw)
            continue
        if meta is None:
            yield Rejected(position, "not a Data Access web-session document", safe_json(element))
            continue
        if meta.data_type not in (None, WEB_SESSION):
            if refused is not meta:  # one rejection per document of another data type
                refused = meta
                reason = f"Data Access {meta.data_type} data is not loaded (not web sessions)"
                yield Rejected(position, reason, None)
            continue
        if isinstance(element, NotAnArray):
            reason = "recordCollection is not an array of records"
            yield Rejected(position, reason, safe_json(element.value))
            continue
        if not isinstance(element, dict) or "body" not in element:
            yield Rejected(position, "recordCollection entry without a body", safe_json(element))
            continue
        if meta.problems and noticed is not meta:
            noticed = meta
            document = position.split(", ", 1)[0]
            yield from (Notice(document, problem) for problem in meta.problems)
        siblings = {k: v for k, v in element.items() if k != "body"} if len(element) > 1 else None
        yield WebBody(meta, position, element["body"], siblings)


def iter_web_records(
    path: str | os.PathLike, guard: Callable[..., ParsedRecord | Rejected] | None = None
) -> Iterator[Item]:
    """Every body of a web-session file, parsed (see :func:`parse_web_body`), and the
    rejections and notices of :func:`iter_web_bodies`.

    ``guard(parse, body, position)``, when given, runs each body's parse (the loader
    uses it to turn a parser failure or an oversized key into a rejection of that body).
    """
    for item in iter_web_bodies(path):
        if isinstance(item, Rejected | Notice):
            yield item
        else:
            yield parse_web_bodies([item], guard)[0]


def parse_web_bodies(
    bodies: list[WebBody], guard: Callable[..., ParsedRecord | Rejected] | None = None
) -> list[ParsedRecord | Rejected]:
    """:func:`parse_web_body` of each body (``guard`` as in :func:`iter_web_records`)."""
    if guard is None:
        return [parse_web_body(b.body, b.meta, b.position, b.entry) for b in bodies]
    return [
        guard(
            lambda body, at, meta=b.meta, entry=b.entry: parse_web_body(body, meta, at, entry),
            b.body,
            b.position,
        )
        for b in bodies
    ]
