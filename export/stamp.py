"""Pin the creation time that ``.sav`` and ``.dta`` headers carry to the time of the build the data come from.

ReadStat (under pyreadstat) stamps each file with the wall clock and pyreadstat offers no way to set it, so two
exports of one build would differ in those few bytes. Both formats store the time as fixed-width ASCII at a
fixed place of the header, so it can be rewritten in place, same length, after writing. The time written is the
source build's: a file then says which build it holds, and re-running an export gives a byte-identical file.
Each function checks the header is what the format specifies before touching it, and refuses otherwise.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

#: English month abbreviations, as both formats spell them (never the locale's).
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")

#: SPSS .sav header: "$FL2" (or "$FL3" for .zsav), product name, five int32 and a double (the bias), then the
#: creation date "dd Mon yy" (9 bytes) and time "hh:mm:ss" (8 bytes) at byte 92.
_SAV_MAGIC = (b"$FL2", b"$FL3")
_SAV_DATE_AT = 92
_SAV_DATE = re.compile(rb"\d\d [A-Z][a-z]{2} \d\d\d\d:\d\d:\d\d")

#: Stata 117+ header: <timestamp>, one length byte (17), "dd Mon yyyy hh:mm".
_DTA_OPEN = b"<timestamp>\x11"
_DTA_STAMP = re.compile(rb"\d\d [A-Z][a-z]{2} \d{4} \d\d:\d\d")


def _rewrite(path: Path, at: int, old: re.Pattern[bytes], new: bytes) -> None:
    with path.open("r+b") as f:
        f.seek(at)
        current = f.read(len(new))
        if not old.fullmatch(current):
            raise ValueError(f"{path}: no creation time where the format puts it (found {current!r})")
        f.seek(at)
        f.write(new)


def pin_sav(path: Path, when: dt.datetime) -> None:
    """Set the creation date and time of an SPSS file's header to ``when`` (to the second)."""
    with path.open("rb") as f:
        magic = f.read(4)
    if magic not in _SAV_MAGIC:
        raise ValueError(f"{path}: not an SPSS data file (starts with {magic!r})")
    text = f"{when.day:02d} {_MONTHS[when.month - 1]} {when.year % 100:02d}{when:%H:%M:%S}"
    _rewrite(path, _SAV_DATE_AT, _SAV_DATE, text.encode("ascii"))


def pin_dta(path: Path, when: dt.datetime) -> None:
    """Set the timestamp of a Stata 117+ file's header to ``when`` (Stata keeps minutes)."""
    with path.open("rb") as f:
        head = f.read(512)
    at = head.find(_DTA_OPEN)
    if not head.startswith(b"<stata_dta>") or at < 0:
        raise ValueError(f"{path}: not a Stata 117+ file with a timestamp")
    text = f"{when.day:02d} {_MONTHS[when.month - 1]} {when.year:04d} {when:%H:%M}"
    _rewrite(path, at + len(_DTA_OPEN), _DTA_STAMP, text.encode("ascii"))
