"""Whether the collected static files (``STATIC_ROOT``, hashed and compressed by
WhiteNoise's ``CompressedManifestStaticFilesStorage``) are current.

``collectstatic`` with that storage hashes and compresses every file again on every
call (about 3,700 files, most of them the npm packages' builds): a minute or more of
CPU. ``doconnect serve`` therefore collects only when a source file is newer than the
manifest, or the manifest is missing: the usual start (nothing changed) costs a few
thousand ``stat`` calls.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.contrib.staticfiles.finders import get_finders

MANIFEST = "staticfiles.json"


def source_files() -> Iterator[tuple[str, Path]]:
    """Every static source as (its name under STATIC_URL, its file), as collectstatic
    finds them (with the prefixes of STATICFILES_DIRS)."""
    ignore = apps.get_app_config("staticfiles").ignore_patterns  # type: ignore[attr-defined]
    for finder in get_finders():
        for path, storage in finder.list(ignore):
            prefix = getattr(storage, "prefix", None)
            name = f"{prefix}/{path}" if prefix else path
            yield name.replace("\\", "/"), Path(storage.path(path))


def static_files_current() -> bool:
    """Every source file is in the manifest and none is newer than it (a file added
    while a collection ran is older than the manifest but missing from it)."""
    manifest = Path(settings.STATIC_ROOT) / MANIFEST
    try:
        collected_at = manifest.stat().st_mtime
        collected = json.loads(manifest.read_text(encoding="utf-8")).get("paths", {})
    except (OSError, ValueError, AttributeError):
        return False
    return all(
        name in collected and file.stat().st_mtime <= collected_at for name, file in source_files()
    )
