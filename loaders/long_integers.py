"""Integers too long for yajl, masked so that yajl can check the rest of the text.

yajl (ijson's C backend, the strict streaming parser) refuses an integer beyond 63 bits,
which is valid JSON. A streamed file that holds one is read with ijson's Python backend,
which reads it exactly but is laxer than JSON: it takes ``+1``, ``1.e5``, ``-1e400`` (as
``-inf``) and a no-break space between tokens, all of which orjson and yajl refuse. So
such a file is first checked by yajl with every integer of 19 digits or more written as
``0`` and spaces (:class:`IntegerMask`, the same length, so that an error's byte offset
is the file's). What is masked: a run of 19 or more digits that is an integer — where a
number may start (after white space, ``,``, ``:``, ``[``, or a ``-`` there; not in a
fraction, an exponent or a ``\\u`` escape), not followed by a digit, ``.``, ``e`` or
``E``, and not starting with ``0`` (leading zeros stay invalid). Such a run inside a
string (after a space, say) is masked too: a string stays a string, and this text is
only checked, never read.
"""

from __future__ import annotations

import re

# Where a number token may start: after white space (yajl's: form feeds and vertical tabs
# too), a comma, a colon, an opening bracket, or at the start. Anything else before the
# digits (a letter of a \u escape, a dot, an exponent's sign) is not an integer's start.
_LONG_INTEGER = re.compile(rb"(?:^|(?<=[ \t\r\n\x0b\x0c,:\[]))(-?)([1-9][0-9]{18,})(?![0-9.eE])")
#: Bytes a number may end with, held back until what follows them is known.
_NUMBER_BYTES = frozenset(b"0123456789+-.eE")
#: A held run of number bytes longer than this is passed on unmasked (yajl judges it).
MAX_HELD = 1024 * 1024


def _zero(match: re.Match[bytes]) -> bytes:
    digits = match.group(2)
    return match.group(1) + b"0" + b" " * (len(digits) - 1)


def mask(data: bytes) -> bytes:
    """``data`` (whole JSON text) with every long integer written as ``0`` and spaces."""
    return _LONG_INTEGER.sub(_zero, data)


class IntegerMask:
    """:func:`mask` for text that comes in pieces: :meth:`feed` each piece, then
    :meth:`finish`. Together they return the masked text, whatever the cuts."""

    def __init__(self) -> None:
        self._held = b""  # number bytes at the end of what was fed
        self._before = b" "  # the byte before what is masked next (for the look-behind)

    def feed(self, data: bytes) -> bytes:
        """The masked text up to where the bytes fed so far decide it."""
        data = self._held + data
        cut = len(data)
        while cut > 0 and data[cut - 1] in _NUMBER_BYTES:
            cut -= 1
        if len(data) - cut > MAX_HELD:
            cut = len(data)
        self._held = data[cut:]
        return self._mask(data[:cut])

    def finish(self) -> bytes:
        """The rest of the masked text, at the end of the input."""
        rest, self._held = self._held, b""
        return self._mask(rest)

    def _mask(self, data: bytes) -> bytes:
        if not data:
            return data
        masked = mask(self._before + data)[1:]
        self._before = data[-1:]
        return masked
