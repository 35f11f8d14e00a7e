"""What kind of input a file is, from its content (never its name), reading only its start.

Kinds:

- ``"conversations"``: a Messaging Interactions API response page
  (``conversationHistoryRecords``), or JSON Lines of pages or of bare conversation
  records (a top-level object with record sections: ``info``, ``conversationId``,
  ``messageRecords``, …);
- ``"web_session"``: a Data Access API file whose ``dataType`` is ``WebSession``;
- ``"data_access"``: a Data Access file of another data type (``Engagement``,
  ``Survey``, ``AgentActivity``, …) — not loaded, reported as unsupported;
- ``"listing"``: a Data Access file-listing response (``{"dataAccessFiles": …}``);
- ``"unknown"``: valid JSON of another shape.

The first top-level value decides; parsing stops as soon as a top-level key settles
the kind, so a 2 GB file costs a few kilobytes. A Data Access file is recognised by
``dataType``, or — when ``recordCollection`` comes first — by the record name of its
first body (``com.liveperson.dataaccess.WebSession…Data`` → web session; otherwise
the name without its namespace and ``Data`` suffix is the data type). A Data Access
file's ``metaData`` is read too when it comes before ``recordCollection`` (as the API
writes it), so that ``load_file`` keeps it for every file, loaded or not.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import ijson
import orjson
from ijson.common import ObjectBuilder

from loaders.files import CHUNK_SIZE, CountingReader, InputError
from loaders.sources import iter_json_values
from loaders.stream_ijson import (
    BACKEND,
    BIG_INTEGER_BACKEND,
    big_integer,
    ijson_input_error,
    shallow_parse,
    utf8_error,
)

CONVERSATIONS = "conversations"
WEB_SESSION = "web_session"
DATA_ACCESS = "data_access"
LISTING = "listing"
UNKNOWN = "unknown"

#: Top-level keys of a bare conversation record (current and legacy names).
RECORD_KEYS = frozenset(
    {
        "info",
        "conversationId",
        "messageRecords",
        "agentParticipants",
        "consumerParticipants",
        "consumerParticipant",
        "transfers",
        "interactions",
        "messageScores",
        "messageScore",
        "messageStatuses",
        "conversationSurveys",
        "coBrowseSessions",
        "sdes",
        "unAuthSdes",
        "summary",
        "dialogs",
        "monitoring",
        "responseTime",
        "intents",
        "latestAgentSurvey",
        "previouslySubmittedAgentSurveys",
    }
)
# Stop looking after this many parse events without a decision (a huge value of an
# unrecognised first key): such a file is "unknown".
MAX_EVENTS = 200_000
#: Bytes handed to ijson at a time. yajl turns a whole buffer into events before the first
#: is seen, and the kind is settled within the first few hundred bytes: 4 KiB instead of
#: the streaming readers' 64 KiB made detection 13 times faster (0.93 -> 0.07 ms per page
#: file of 10 records), which counts on exports of many small pages.
DETECT_CHUNK = 4096
_BODY_PREFIX = "recordCollection.item.body"
#: A ``metaData`` of more parse events or deeper nesting than this is not kept (the API's
#: has five members; one this big is not worth a ``load_file`` row).
META_EVENTS = 10_000
META_DEPTH = 32


@dataclass(frozen=True, slots=True, eq=False)
class Detected:
    """The kind of a file and, for Data Access files, its data type.

    Compares equal to its kind string too (``detect_kind(p) == "listing"``)."""

    kind: str
    data_type: str | None = None
    #: A Data Access file's ``metaData``, Avro unions unwrapped (``None``: none, or not
    #: before ``recordCollection``, or too big to keep).
    meta_data: dict | None = None

    def __eq__(self, other: object) -> bool:
        if isinstance(other, str):
            return self.kind == other
        if isinstance(other, Detected):
            return (self.kind, self.data_type) == (other.kind, other.data_type)
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self.kind)

    def __str__(self) -> str:
        return self.kind if self.data_type is None else f"{self.kind} ({self.data_type})"


def _data_access(data_type: str | None, meta_data: dict | None = None) -> Detected:
    if data_type == "WebSession":
        return Detected(WEB_SESSION, data_type, meta_data)
    return Detected(DATA_ACCESS, data_type, meta_data)


class _MetaData:
    """Builds the top-level ``metaData`` value from its parse events."""

    def __init__(self) -> None:
        self.builder = ObjectBuilder()
        self.events = 0
        self.depth = 0
        self.overflow = False

    def event(self, event: str, value: Any) -> bool:
        """Take one event of the value; True once the value is complete."""
        self.events += 1
        if event in ("start_map", "start_array"):
            self.depth += 1
        elif event in ("end_map", "end_array"):
            self.depth -= 1
        if self.events > META_EVENTS or self.depth > META_DEPTH:
            self.overflow = True
        if not self.overflow:
            self.builder.event(event, value)
        return self.depth == 0 and event != "map_key"

    def value(self) -> dict | None:
        from loaders import avro

        if self.overflow:
            return None
        value = avro.unwrap(self.builder.value)
        if not isinstance(value, dict):
            return None
        try:
            orjson.dumps(value)
        except TypeError:  # an integer beyond 64 bits: kept as its digits
            value = json.loads(json.dumps(value), parse_int=_int64_or_digits)
        return value


def _int64_or_digits(digits: str) -> int | str:
    number = int(digits)
    return number if -(2**63) <= number < 2**63 else digits


def _type_of_body(record_name: str) -> str:
    short = record_name.rsplit(".", 1)[-1]
    if short.startswith("WebSession"):
        return "WebSession"
    return short[:-4] if short.endswith("Data") and len(short) > 4 else short


def detect(path: str | os.PathLike, backend: Any = BACKEND) -> Detected:
    """The kind (and Data Access data type) of the file. Raises :class:`InputError` for a
    file that is empty, not JSON (in its first value) or a broken gzip."""
    path = Path(path)
    reader = CountingReader(path, mend=True)
    seen_data_access = False
    data_type: str | None = None  # from dataType, once seen
    meta: _MetaData | None = None  # building metaData
    meta_data: dict | None = None
    events = 0
    try:
        parser = shallow_parse(
            backend, reader, multiple_values=True, use_float=True, buf_size=DETECT_CHUNK
        )
        for prefix, event, value in parser:
            events += 1
            if meta is not None:
                if meta.event(event, value):
                    meta_data, meta = meta.value(), None
                    if data_type is not None:
                        return _data_access(data_type, meta_data)
                elif meta.overflow and data_type is not None:
                    return _data_access(data_type)  # not kept: read no further
                elif events >= MAX_EVENTS:
                    return Detected(UNKNOWN)
                continue
            if prefix == "":
                if event == "map_key":
                    if value == "dataAccessFiles":
                        return Detected(LISTING)
                    if value == "conversationHistoryRecords" or value in RECORD_KEYS:
                        return Detected(CONVERSATIONS)
                    if value in ("dataType", "metaData", "recordCollection"):
                        seen_data_access = True
                    if value == "metaData":
                        meta = _MetaData()
                    elif data_type is not None:  # metaData is not next: not before the records
                        return _data_access(data_type, meta_data)
                    continue
                if event == "start_map":
                    continue
                # The first top-level value ended (or is not an object) undecided.
                if data_type is not None:
                    return _data_access(data_type, meta_data)
                if seen_data_access and event == "end_map":
                    return Detected(DATA_ACCESS, None, meta_data)
                return Detected(UNKNOWN)
            if prefix is None:
                pass
            elif event == "string" and prefix.startswith("dataType") and data_type is None:
                # dataType is an Avro enum union {"com…DataTypeEnum": "WebSession"} or a string.
                data_type = value
                if meta_data is not None:
                    return _data_access(data_type, meta_data)
                continue
            elif event == "map_key" and prefix == _BODY_PREFIX:
                return _data_access(_type_of_body(value), meta_data)
            if events >= MAX_EVENTS:
                if data_type is not None:
                    return _data_access(data_type, meta_data)
                return Detected(UNKNOWN)
    except (ijson.JSONError, UnicodeDecodeError) as exc:
        # (yajl lets some bytes that are not UTF-8 through: an encoded surrogate, say)
        if isinstance(exc, UnicodeDecodeError):
            error = utf8_error(path, reader, exc, 1)
        elif big_integer(exc, backend):
            reader.close()
            return detect(path, BIG_INTEGER_BACKEND)
        elif events == 0 and "premature EOF" in str(exc):
            raise InputError(path, "byte 0", "empty file: no JSON value") from None
        else:
            error = ijson_input_error(path, reader, exc, 1)
        small = reader.consumed < CHUNK_SIZE * 4
        reader.close()
        if small:
            # A small file: let the orjson reader name the exact line and byte.
            for _ in iter_json_values(path):
                pass
        raise error from None
    finally:
        reader.close()
    raise InputError(path, "byte 0", "empty file: no JSON value")


def detect_kind(path: str | os.PathLike) -> Detected:
    """The kind of the file (``.kind``: ``conversations``, ``web_session``,
    ``data_access``, ``listing`` or ``unknown``) and its Data Access ``.data_type``.
    Same as :func:`detect`."""
    return detect(path)
