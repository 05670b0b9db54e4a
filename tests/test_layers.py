"""The layers of the code are import contracts in pyproject.toml, checked by import-linter
(`make lint` runs it too); here a broken contract also fails the suite."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"


def contract_names() -> list[str]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    return [contract["name"] for contract in config["tool"]["importlinter"]["contracts"]]


def test_the_contracts_say_what_the_layers_are() -> None:
    names = contract_names()
    assert any("no Django" in name for name in names)
    assert any("another domain's pages" in name for name in names)
    assert any("import no domain" in name for name in names)
    assert any("site frame" in name for name in names)


def test_every_import_contract_is_kept() -> None:
    done = subprocess.run(
        [str(LINT_IMPORTS), "--no-cache", "--no-logo"],
        cwd=ROOT,
        env={**os.environ, "COLUMNS": "250"},  # one line per contract
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    names = contract_names()
    assert f"Contracts: {len(names)} kept, 0 broken." in done.stdout
    for name in names:
        assert re.search(rf"^{re.escape(name)}\s*KEPT", done.stdout, re.MULTILINE), name


def test_every_page_module_of_a_domain_is_in_the_pages_contract() -> None:
    # A wildcard cannot say "*_views", so such modules are named one by one; this finds a
    # new one that is not (core's job page and the site frame are for every domain).
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    (pages,) = (c for c in config["tool"]["importlinter"]["contracts"] if c["id"] == "pages")
    src = ROOT / "src"
    found = {
        ".".join(path.relative_to(src).with_suffix("").parts)
        for path in (src / "doconnect").glob("*/**/*_views.py")
        if path.relative_to(src).parts[1] not in {"core", "web"}
    }
    assert found, "the search finds page modules"
    assert found <= set(pages["forbidden_modules"])
