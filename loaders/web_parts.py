"""A big web-session file cut into parts of bodies, so that several processes parse them.

A web-session file is one JSON document; one too big to be parsed whole is streamed in
one transaction. Read in the loading process, its parsing would use one core. Instead the
loading process only reads the document (orjson, element by element, as
``loaders.sources`` streams it) and hands the bodies on in parts of
:data:`PART_BODIES`; parsing processes turn each part into a batch, which the loading
process writes in the order of the file. What is not a body (an element over the record
limit, a document of another data type, …) is rejected where it is found, in order.

A part crosses to a parsing process as JSON text (orjson writes and reads it several
times faster than pickle does Python objects); a part orjson cannot write (nesting deeper
than it goes, an integer beyond 64 bits, a lone surrogate) is pickled, and one too deep
even for pickle is parsed here.
"""

from __future__ import annotations

import os
import pickle
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import orjson

from loaders import sources, web_files
from loaders.batch import ParsedBatch, build_batch, guarded
from loaders.records import Item, Notice, ParsedRecord, Rejected
from loaders.web_files import FileMeta, WebBody

#: Bodies per part: a few MB of JSON, a batch worth a write.
PART_BODIES = 2000


@dataclass(slots=True)
class WebPart:
    """Bodies of one document, ``[[position, body], …]`` as JSON text or pickled."""

    meta: FileMeta
    payload: bytes
    pickled: bool


def iter_web_parts(
    path: str | os.PathLike, limit: int, bodies: int = PART_BODIES
) -> Iterator[WebPart | list[Item]]:
    """The file's bodies in parts for parsing processes, and, in their place in the file,
    what is already parsed here (rejections; a part too deep to cross). Raises
    ``InputError`` when the file cannot be read."""
    pending: list[WebBody] = []
    with sources.record_limit(limit):
        for item in web_files.iter_web_bodies(Path(path)):
            if isinstance(item, Rejected | Notice):
                if pending:
                    yield _part(pending)
                    pending = []
                yield [item]
                continue
            if pending and (len(pending) >= bodies or item.meta is not pending[0].meta):
                yield _part(pending)
                pending = []
            pending.append(item)
    if pending:
        yield _part(pending)


def _part(bodies: list[WebBody]) -> WebPart | list[ParsedRecord | Rejected]:
    pairs = [(b.position, b.body, b.entry) for b in bodies]
    try:
        return WebPart(bodies[0].meta, orjson.dumps(pairs), pickled=False)
    except TypeError:
        pass
    try:
        return WebPart(bodies[0].meta, pickle.dumps(pairs, protocol=5), pickled=True)
    except RecursionError:
        return web_files.parse_web_bodies(bodies, guard=guarded)


def parse_web_part(part: WebPart) -> list[ParsedBatch]:
    """Parse a part's bodies (in a parsing process) into a batch, as a read in order would."""
    pairs = pickle.loads(part.payload) if part.pickled else orjson.loads(part.payload)
    bodies = [WebBody(part.meta, position, body, entry) for position, body, entry in pairs]
    return [build_batch(web_files.parse_web_bodies(bodies, guard=guarded))]
