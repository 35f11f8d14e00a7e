"""Lone UTF-16 surrogate escapes in JSON text, mended to ``\\ufffd`` before any parse.

JSON may spell a character outside the Basic Multilingual Plane as a pair of escapes
(``\\ud83d\\ude00``). A service that cuts text by UTF-16 length can leave half a pair
(``\\ud83d`` alone), which the JSON grammar admits but no UTF-8 text can hold. The parsers
disagree on it: orjson refuses the whole document, yajl (the streaming path) reads a ``?``,
Python's json keeps a string that cannot be encoded. So the text is mended first: each
lone surrogate escape becomes ``\\ufffd``, the replacement character, as a UTF-8 decoder
does with a broken sequence — by the reader the streaming parser reads from, and, for
orjson, only once it has refused the text (``loaders.sources.loads``): the search costs
~2.5 ms per MB, too much to spend on every file. The replacement has the same length as
the escape, so byte offsets in error messages stay those of the file.

A backslash is an escape only after an even number of backslashes (``\\\\ud800`` is the
text ``\\ud800``): the scan reads ``\\\\`` as one token, from a position where no token
is open.
"""

from __future__ import annotations

import re

# From a position where no token is open: an escaped backslash, a surrogate pair, or a
# surrogate escape without its partner (alternatives tried in that order).
_TOKEN = re.compile(
    rb"\\\\"
    rb"|\\u[dD][89abAB][0-9a-fA-F]{2}\\u[dD][c-fC-F][0-9a-fA-F]{2}"
    rb"|\\u[dD][89a-fA-F][0-9a-fA-F]{2}"
)
#: The longest token: a token starting this far from the end of the bytes seen is final.
_LONGEST = 12
_REPLACEMENT = b"\\ufffd"


def _replace(match: re.Match[bytes]) -> bytes:
    token = match.group()
    return _REPLACEMENT if len(token) == 6 else token


def mend(data: bytes) -> bytes:
    """``data`` (whole JSON text) with every lone surrogate escape replaced by ``\\ufffd``."""
    if b"\\u" not in data:
        return data
    return _TOKEN.sub(_replace, data)


class Mender:
    """:func:`mend` for text that comes in pieces: :meth:`feed` each piece, then
    :meth:`finish`. Together they return the mended text, whatever the cuts."""

    def __init__(self) -> None:
        self._held = b""  # the undecided end of what was fed: from a position between tokens

    def feed(self, data: bytes) -> bytes:
        """The mended text up to where the bytes fed so far decide it."""
        if self._held:
            data = self._held + data
            self._held = b""
        if b"\\u" not in data:
            # No escape to mend, and none can be cut but after trailing backslashes (the
            # run starts where no token is open: the byte before it is none of a token's).
            keep = len(data) - len(data.rstrip(b"\\"))
            if keep:
                self._held = data[-keep:]
                return data[:-keep]
            return data
        final = len(data) - _LONGEST
        cut = max(final, 0)
        for match in _TOKEN.finditer(data):
            start, end = match.span()
            if start >= final:
                cut = min(cut, start)
                break
            if end > cut:
                cut = end
        self._held = data[cut:]
        return mend(data[:cut])

    def finish(self) -> bytes:
        """The rest of the mended text, at the end of the input."""
        rest, self._held = self._held, b""
        return mend(rest)
