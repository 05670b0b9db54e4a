"""Opening zipped input (XLSX workbooks) only when it is not a "zip bomb". Pure (no
Django).

A workbook of a few megabytes can unpack to gigabytes (2.5 MB → 636 MB was found): the
sizes in the archive's directory are checked before openpyxl unpacks a byte. Python's
``zipfile`` never returns more than the size a member declares (it stops there and
reports a bad checksum), so the declared sizes bound what is unpacked — and, with it,
the time openpyxl can spend.
"""

from __future__ import annotations

import io
import zipfile
from typing import IO

from doconnect.files.importing import ImportFailed, ImportProblem

# 256 MB of XML is far more than any sheet the platform reads (100,000 rows of 16 cells
# are some 60 MB); a compression ratio above 100 is what bombs have, not spreadsheets
# (their XML compresses 5–20 times).
MAX_UNPACKED_BYTES = 256 * 1024 * 1024
MAX_RATIO = 100
# Below this a high ratio is harmless (a tiny, very regular sheet).
_RATIO_FROM_BYTES = 8 * 1024 * 1024


def check_zip(
    data: bytes | IO[bytes],
    *,
    file: str,
    what: str = "workbook",
    advice: str = "save only the sheet to import",
    max_unpacked: int = MAX_UNPACKED_BYTES,
    max_ratio: int = MAX_RATIO,
) -> None:
    """Raise ImportFailed (on line 1 of ``file``) when ``data`` is not a readable zip
    archive, unpacks to more than ``max_unpacked`` bytes or more than ``max_ratio``
    times its own size (``advice`` says what to do instead). ``data`` is the archive's
    bytes or a seekable binary file (read from its start, left at its start), so a large
    workbook need not be held in memory to be checked."""

    def refused(message: str) -> ImportFailed:
        return ImportFailed([ImportProblem(file, 1, "", message)])

    if isinstance(data, bytes):
        stream: IO[bytes] = io.BytesIO(data)
        size = len(data)
    else:
        stream = data
        size = stream.seek(0, io.SEEK_END)
        stream.seek(0)
    try:
        with zipfile.ZipFile(stream) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        raise refused(f"not a readable XLSX {what} ({exc})") from exc
    finally:
        stream.seek(0)
    unpacked = sum(info.file_size for info in members)
    if unpacked > max_unpacked:
        raise refused(
            f"the {what} unpacks to {unpacked / 2**20:,.1f} MB, more than "
            f"{max_unpacked / 2**20:,.1f} MB; {advice}"
        )
    if unpacked > _RATIO_FROM_BYTES and unpacked > max_ratio * max(size, 1):
        raise refused(
            f"the {what} unpacks to {unpacked // max(size, 1):,} times its size "
            f"(at most {max_ratio} is plausible for a spreadsheet): a zip bomb; {advice}"
        )
