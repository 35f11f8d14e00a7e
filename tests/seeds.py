"""Locates the shared source material (seeds and real samples) for tests.

The material lives in ``shared/``, a sibling of the repository root (override with the
environment variable ``LPWH_SHARED_DIR``). Tests that need it are skipped, with the
reason, when it is not there.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]


def shared_dir() -> Path:
    """``shared/`` next to the repository (or ``$LPWH_SHARED_DIR``); skips the test if absent."""
    path = Path(os.environ.get("LPWH_SHARED_DIR") or REPO_ROOT.parent / "shared")
    if not (path / "seeds").is_dir():
        pytest.skip(f"shared source material not found at {path} (set LPWH_SHARED_DIR)")
    return path


def seed_path(n: int) -> Path:
    """The seed document number ``n`` (``000_….txt``)."""
    matches = sorted((shared_dir() / "seeds").glob(f"{n:03d}_*"))
    if not matches:
        pytest.skip(f"seed {n:03d} not found")
    return matches[0]


def real_sample(name: str) -> Path:
    """A file of ``shared/real-samples/`` by name."""
    path = shared_dir() / "real-samples" / name
    if not path.is_file():
        pytest.skip(f"real sample {name} not found")
    return path


_FENCE = re.compile(r"^```[a-z]*\n(.*?)^```", re.S | re.M)
# Seeds 001 and 003 publish the `lead` event with a missing comma after a string value
# and a trailing comma before the closing brace.
_MISSING_COMMA = re.compile(r'"([ \t]*\n[ \t]*")')
_TRAILING_COMMA = re.compile(r",(\s*[}\]])")


def repair(text: str) -> str:
    """Fix the two known syntax errors of the seed examples (harmless on valid JSON)."""
    return _TRAILING_COMMA.sub(r"\1", _MISSING_COMMA.sub(r'",\1', text))


def _indented_blocks(text: str) -> list[str]:
    blocks, current = [], []
    for line in text.splitlines(keepends=True):
        if line.startswith("    ") or (current and not line.strip()):
            current.append(line[4:] if line.startswith("    ") else line)
        elif current:
            blocks.append("".join(current))
            current = []
    if current:
        blocks.append("".join(current))
    return blocks


def seed_example(n: int, *, repaired: bool = False) -> str:
    """The JSON example text of seed ``n``: the conversation response of 000/001/003, or the
    web-session data file of 004. ``repaired=True`` fixes the ``lead`` syntax error."""
    text = seed_path(n).read_text(encoding="utf-8")
    marker = "recordCollection" if "recordCollection" in text else "conversationHistoryRecords"
    candidates = [m.group(1) for m in _FENCE.finditer(text)] + _indented_blocks(text)
    example = next((c for c in candidates if marker in c), None)
    if example is None:
        # Seed 001 lost its fences: the example runs from its heading to the end.
        heading = re.search(r"^JSON example[^\n]*\n", text, re.I | re.M)
        if heading is None or marker not in text[heading.end() :]:
            raise ValueError(f"seed {n:03d} has no JSON example")
        example = text[heading.end() :]
    return repair(example) if repaired else example
