"""Every platform file loads the way its platform loads it and says what the deploy needs: the services and
processes, their health checks, and every setting .env.example documents."""

from __future__ import annotations

import configparser
import json
import re
import shlex
from typing import Any

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from platform_files import (
    ROOT,
    app_json,
    compose,
    deployment_variables,
    dockerfile_instructions,
    documented_variables,
    fly,
    named_in_text,
)

from azura_common import healthcheck

# What the lead's contract (DEPLOY_CONTRACT.md) says every platform file is written against.
CONTRACT_VARIABLES = {
    "DATABASE_URL", "AZURA_TLS_CERT", "AZURA_TLS_KEY", "AZURA_TLS_CA", "AZURA_TLS_SERVER_NAME",
    "AZURA_INSECURE_LINKS", "AZURA_DISCOVERY_INTERVAL_S", "AZURA_CHILDREN", "AZURA_CHILD_INDEX",
    "AZURA_CHILD_ORDINAL", "AZURA_CHILD_TOKENS", "AZURA_CHILD_TOKEN", "AZURA_CHILD_COUNT", "AZURA_CLUSTER_SECRET",
    "AZURA_BIND_HOST", "PORT", "LAVALINK_URI", "LAVALINK_PASSWORD", "LAVALINK_NODES",
}
# app.json is Heroku's one-click form for the one-dyno cluster mode: these have no place in it, each for a reason.
NOT_IN_APP_JSON = {
    "AZURA_CHILD_TOKEN": "one token per child comes from AZURA_CHILD_TOKENS",
    "AZURA_CHILD_INDEX": "azura_cluster gives each child its index",
    "AZURA_CHILD_ORDINAL": "a Kubernetes StatefulSet's",
    "AZURA_CHILDREN": "azura_cluster links its children over Unix sockets in the dyno",
    "AZURA_DISCOVERY_INTERVAL_S": "no names to resolve in one dyno",
    "AZURA_CHILD_BASE_PORT": "Unix sockets, no ports",
    "AZURA_CHILD_HOST": "Unix sockets, no hosts",
    "AZURA_BIND_HOST": "azura_cluster sets the children's sockets",
    "PORT": "Heroku sets it",
    "AZURA_TLS_CERT": "Unix sockets inside one dyno: nothing crosses a network",
    "AZURA_TLS_KEY": "as AZURA_TLS_CERT",
    "AZURA_TLS_CA": "as AZURA_TLS_CERT",
    "AZURA_TLS_SERVER_NAME": "as AZURA_TLS_CERT",
    "AZURA_INSECURE_LINKS": "Unix sockets are not refused",
    "AZURA_WEB_PORT": "the web dyno's dashboard listens on the PORT Heroku sets",
    "AZURA_WEB_HOST": "Heroku's router needs the default, 0.0.0.0",
}
AZURA_SERVICES = ("parent", "child-1", "child-2")


def test_env_example_documents_every_contract_variable() -> None:
    assert CONTRACT_VARIABLES - documented_variables() == set()


@pytest.mark.parametrize("name", ["docker-compose.yml", "fly.toml"])
def test_compose_and_fly_name_every_deployment_variable_and_only_documented_ones(name: str) -> None:
    named = named_in_text(ROOT / name)
    assert deployment_variables() - named == set(), f"{name} does not say how these are set"
    assert named - documented_variables() == set(), f"{name} names variables .env.example does not document"


def test_app_json_asks_for_every_deployment_variable_heroku_needs() -> None:
    app = app_json()
    asked = set(app["env"])
    assert set(NOT_IN_APP_JSON) <= deployment_variables()  # every exemption is a real variable
    from_addons = {"DATABASE_URL"} if any(a["plan"].startswith("heroku-postgresql") for a in app["addons"]) else set()
    assert deployment_variables() - asked - from_addons - set(NOT_IN_APP_JSON) == set()
    assert asked - documented_variables() == set()
    assert asked.isdisjoint(NOT_IN_APP_JSON)
    for name in ("AZURA_PARENT_TOKEN", "AZURA_CHILD_TOKENS", "AZURA_CLUSTER_SECRET", "LAVALINK_URI"):
        assert app["env"][name]["required"] is True, name
    assert app["env"]["AZURA_CLUSTER_SECRET"]["generator"] == "secret"


def test_app_json_runs_the_one_dyno_cluster_with_postgres() -> None:
    app = app_json()
    assert app["formation"]["web"]["quantity"] == 1  # the web type gets $PORT: the parent's dashboard is served there
    assert all(spec["quantity"] == 0 for kind, spec in app["formation"].items() if kind != "web")
    assert {"url": "heroku/python"} in app["buildpacks"]
    procfile = dict(line.split(":", 1) for line in (ROOT / "Procfile").read_text().splitlines()
                    if line.strip() and not line.startswith("#"))
    assert set(app["formation"]) <= set(procfile), "every dyno type of the formation is a Procfile line"
    assert shlex.split(procfile["worker"])[-3:] == ["python", "-m", "azura_cluster"]
    assert shlex.split(procfile["web"])[-3:] == ["python", "-m", "azura_cluster"]
    assert (ROOT / ".python-version").read_text().strip() == "3.11"


def test_compose_runs_lavalink_with_the_youtube_plugin_postgres_a_parent_and_two_children() -> None:
    services = compose()["services"]
    assert set(services) == {"lavalink", "postgres", *AZURA_SERVICES}
    lavalink = services["lavalink"]
    assert lavalink["image"].startswith("ghcr.io/lavalink-devs/lavalink:4")
    mounts = {volume.split(":")[0]: volume.split(":")[1] for volume in lavalink["volumes"]}
    assert mounts["./deploy/lavalink/application.yml"] == "/opt/Lavalink/application.yml"
    assert (ROOT / "deploy/lavalink/application.yml").is_file()
    for name, service in services.items():
        assert service["restart"] == "unless-stopped", name
        assert service["healthcheck"]["test"], name
    for name in AZURA_SERVICES:
        assert services[name]["build"] == "." and services[name]["env_file"] == ".env", name
    assert services["parent"]["command"] == ["python", "-m", "azura_parent"]
    children = [services["child-1"], services["child-2"]]
    assert all(child["command"] == ["python", "-m", "azura_child"] for child in children)
    assert [child["environment"]["AZURA_CHILD_INDEX"] for child in children] == ["1", "2"]
    parent_env = services["parent"]["environment"]
    ports = [child["environment"]["PORT"] for child in children]
    assert parent_env["AZURA_CHILDREN"] == f"child-1:{ports[0]},child-2:{ports[1]}"
    assert "@postgres:5432/" in parent_env["DATABASE_URL"]
    assert {"postgres", "lavalink"} <= set(services["parent"]["depends_on"])


def _healthcheck_args(command: list[str]) -> list[str]:
    assert command[:4] == ["CMD", "python", "-m", "azura_common.healthcheck"], command
    return command[4:]


def test_compose_health_checks_are_commands_the_healthcheck_accepts() -> None:
    services = compose()["services"]
    parser = healthcheck._parser()
    parent = parser.parse_args(_healthcheck_args(services["parent"]["healthcheck"]["test"]))
    assert parent.process == "azura_parent"
    for name in ("child-1", "child-2"):
        child = parser.parse_args(_healthcheck_args(services[name]["healthcheck"]["test"]))
        assert child.address == f"127.0.0.1:{services[name]['environment']['PORT']}"
        assert services[name]["environment"]["AZURA_BIND_HOST"] == "::"  # reachable from the parent's container


def test_fly_runs_parent_and_child_groups_on_the_private_network() -> None:
    config = fly()
    assert config["processes"] == {"parent": "python -m azura_parent", "child": "python -m azura_child"}
    env = config["env"]
    assert env["AZURA_CHILDREN"] == f"all:child.process.{config['app']}.internal:{env['PORT']}"
    assert env["AZURA_BIND_HOST"] == "::"
    assert config["build"]["dockerfile"] == "Dockerfile"
    checks = [check for check in config["checks"].values() if "child" in check["processes"]]
    assert checks and all(check["port"] == int(env["PORT"]) for check in checks)
    assert {"parent", "child"} <= {group for vm in config["vm"] for group in vm["processes"]}


def test_the_dockerfile_is_slim_non_root_and_checks_health() -> None:
    instructions = dockerfile_instructions()
    kinds = [kind for kind, _ in instructions]
    assert instructions[0] == ("FROM", "python:3.11-slim")
    users = [args for kind, args in instructions if kind == "USER"]
    assert users and users[-1].split(":")[0] not in ("root", "0")
    assert kinds.index("USER") < kinds.index("CMD")  # the process runs as that user
    health = next(args for kind, args in instructions if kind == "HEALTHCHECK")
    command = json.loads(health.split("CMD", 1)[1])
    assert command[:3] == ["python", "-m", "azura_common.healthcheck"]
    healthcheck._parser().parse_args(command[3:])
    assert json.loads(next(args for kind, args in instructions if kind == "CMD")) == ["python", "-m", "azura_cluster"]
    copied = {args.split()[0] for kind, args in instructions if kind == "COPY"}
    assert "requirements.txt" in copied
    ignored = (ROOT / ".dockerignore").read_text().splitlines()
    assert {".env", ".git", ".venv"} <= set(ignored)


def _install_requires() -> list[Requirement]:
    parser = configparser.ConfigParser()
    parser.read(ROOT / "setup.cfg")
    return [Requirement(line) for line in parser["options"]["install_requires"].strip().splitlines() if line.strip()]


def _locked() -> dict[str, Requirement]:
    lines = [line for line in (ROOT / "requirements.txt").read_text().splitlines()
             if line.strip() and not line.startswith("#")]
    return {canonicalize_name(Requirement(line).name): Requirement(line) for line in lines}


def test_requirements_txt_pins_every_install_requires_entry_within_its_range() -> None:
    locked = _locked()
    for wanted in _install_requires():
        pin = locked.get(canonicalize_name(wanted.name))
        assert pin is not None, f"requirements.txt lacks {wanted.name}: run `make requirements`"
        (spec,) = pin.specifier
        assert spec.operator == "==", f"{pin} is not pinned"
        assert wanted.specifier.contains(spec.version, prereleases=True), f"{pin} is outside setup.cfg's {wanted}"
        assert pin.marker == wanted.marker, f"{pin.name}: the environment marker must match setup.cfg"
    assert all(len(req.specifier) == 1 for req in locked.values())


def test_the_lavalink_configuration_uses_the_youtube_plugin_instead_of_the_builtin_source() -> None:
    import yaml

    config: dict[str, Any] = yaml.safe_load((ROOT / "deploy/lavalink/application.yml").read_text())
    plugins = [plugin["dependency"] for plugin in config["lavalink"]["plugins"]]
    assert any(re.fullmatch(r"dev\.lavalink\.youtube:youtube-plugin:\d+\.\d+\.\d+", p) for p in plugins), plugins
    assert config["lavalink"]["server"]["sources"]["youtube"] is False
    assert config["plugins"]["youtube"]["enabled"] is True and config["plugins"]["youtube"]["allowSearch"] is True
    text = (ROOT / "deploy/lavalink/application.yml").read_text()
    assert "com.github.topi314.lavasrc:lavasrc-plugin:" in text and "lavalyrics-plugin:" in text  # commented


def test_the_systemd_unit_restarts_the_cluster_as_its_own_user() -> None:
    unit = configparser.ConfigParser(strict=False, interpolation=None)
    unit.optionxform = str  # type: ignore[assignment,method-assign]
    unit.read_string((ROOT / "deploy/systemd/azura.service").read_text())
    service = unit["Service"]
    assert service["ExecStart"].split()[-2:] == ["-m", "azura_cluster"]
    assert service["Restart"] == "on-failure" and service["User"] not in ("root", "")
    assert service["EnvironmentFile"].startswith("/")
    assert set(service["RestartPreventExitStatus"].split()) == {"2", "3"}  # a config problem, a refused token
    assert service["NoNewPrivileges"] == "yes" and service["ProtectSystem"] == "strict"
    assert unit["Install"]["WantedBy"] == "multi-user.target"
