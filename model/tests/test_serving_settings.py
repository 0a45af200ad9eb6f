"""serving_settings: the container's settings come from one table, and the stack's config check agrees with it.

The stack (TypeScript, src/config) validates model.serving and writes the container's environment; the container
(serving_settings.load_settings) reads that environment. Both read model/code/serving_settings.json. The tests below
run the stack's real config code under Node.js on values at every boundary of the table and feed what it writes to
the container's reader: a drift between the two languages fails here.
"""

from __future__ import annotations

import dataclasses
import json
import os
import shutil
import subprocess
import typing
from typing import Any

import pytest

from conftest import REPO_ROOT
from serving_settings import JOB_SETTINGS, TABLE, TABLE_FILE, ServingSettings, SettingsError, field_name, load_settings

# Resolves each config (a JSON list on stdin) with the stack's own code and prints, for each, the container
# environment it writes or the problems synth reports.
STACK_SCRIPT = """
const { resolveConfig } = require("./src/config/load-config");
const configs = JSON.parse(require("fs").readFileSync(0, "utf8"));
const answers = configs.map((raw) => {
  try {
    return { environment: resolveConfig(raw, { source: "pytest", requireArtifact: false }).containerEnvironment };
  } catch (error) {
    if (!Array.isArray(error.problems)) throw error;
    return { problems: error.problems.map((p) => `${p.path}: ${p.message}`) };
  }
});
process.stdout.write(JSON.stringify(answers));
"""

# A value for every setting, none of them the default: what the stack writes for it must come back as it was set.
EVERY_SETTING: dict[str, Any] = {
    "workers": 3,
    "logLevel": "30",
    "threads": 2,
    "dtype": "float32",
    "attention": "eager",
    "warmup": False,
    "prepack": False,
    "compile": True,
    "maxBatch": 16,
    "maxPixels": 24_000_000,
    "maxSide": 8192,
    "draftMinSide": 384,
    "deadlineMs": 10_000,
}


def boundary_values(spec: dict[str, Any]) -> list[Any]:
    """Config values at and just past every edge of a setting's table entry."""
    if spec["type"] == "integer":
        low, high = spec["min"], spec["max"]
        return [low - 1, low, (low + high) // 2, high, high + 1]
    if spec["type"] == "choice":
        return [*spec["choices"], "bogus"]
    return [True, False]


BOUNDARY_CASES = [(key, value) for key, spec in TABLE.items() for value in boundary_values(spec)]


def stack_answers(configs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    node = shutil.which("node")
    assert node, "Node.js is needed to run the stack's config code (scripts/setup.sh installs the project's tools)"
    result = subprocess.run(
        [node, "-r", "ts-node/register", "-e", STACK_SCRIPT],
        input=json.dumps(configs),
        cwd=REPO_ROOT,
        env={**os.environ, "TS_NODE_TRANSPILE_ONLY": "true", "TS_NODE_PROJECT": str(REPO_ROOT / "tsconfig.json")},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    answers: list[dict[str, Any]] = json.loads(result.stdout)
    return answers


@pytest.fixture(scope="module")
def stack() -> dict[str, dict[str, Any]]:
    """The stack's answer for each named config, from one Node.js run."""
    configs: dict[str, dict[str, Any]] = {
        "default": {},
        "serverless": {"endpoint": {"serverless": {}}},
        "every setting": {"model": {"serving": EVERY_SETTING}},
        **{f"{key}={value!r}": {"model": {"serving": {key: value}}} for key, value in BOUNDARY_CASES},
    }
    return dict(zip(configs, stack_answers(list(configs.values())), strict=True))


def as_environment_text(value: Any) -> str:
    return ("1" if value else "0") if isinstance(value, bool) else str(value)


# ---- the table and the container ----


def test_every_table_entry_is_a_field_of_the_right_type_with_the_table_default():
    fields = dataclasses.fields(ServingSettings)
    every = {**TABLE, **JOB_SETTINGS}  # the job settings last, outside the config's table
    assert [field.name for field in fields] == [field_name(key) for key in every]
    hints = typing.get_type_hints(ServingSettings)
    kinds = {"integer": int, "choice": str, "flag": bool}
    for key, spec in every.items():
        name = field_name(key)
        expected = kinds[spec["type"]] if spec["default"] is not None else kinds[spec["type"]] | None
        assert hints[name] == expected, name
        assert getattr(ServingSettings(), name) == spec["default"], name
    assert load_settings({}) == ServingSettings()


def test_the_table_travels_with_the_code():
    # The packager takes code/*.json with the modules; the container finds the table beside serving_settings.py.
    assert TABLE_FILE.parent.name == "code"
    assert TABLE_FILE.with_name("serving_settings.py").is_file()


@pytest.mark.parametrize(("key", "value"), BOUNDARY_CASES)
def test_the_container_accepts_exactly_what_the_table_allows(key, value):
    spec = TABLE[key]
    allowed = (
        spec["min"] <= value <= spec["max"]
        if spec["type"] == "integer"
        else value in spec.get("choices", (True, False))
    )
    environ = {spec["variable"]: as_environment_text(value)}
    if allowed:
        assert getattr(load_settings(environ), field_name(key)) == value
    else:
        with pytest.raises(SettingsError, match=spec["variable"]):
            load_settings(environ)


# ---- the stack and the container, side by side ----


@pytest.mark.parametrize(("key", "value"), BOUNDARY_CASES)
def test_the_stack_and_the_container_accept_and_refuse_the_same_values(stack, key, value):
    spec = TABLE[key]
    answer = stack[f"{key}={value!r}"]
    if "environment" in answer:
        # What synth accepted, the container reads back as the same value.
        environment = answer["environment"]
        assert environment[spec["variable"]] == as_environment_text(value)
        assert getattr(load_settings(environment), field_name(key)) == value
    else:
        # What synth refused (naming the setting), the container refuses too.
        assert any(problem.startswith(f"model.serving.{key}: ") for problem in answer["problems"]), answer
        with pytest.raises(SettingsError, match=spec["variable"]):
            load_settings({spec["variable"]: as_environment_text(value)})


def test_the_container_reads_every_setting_as_the_config_set_it(stack):
    assert set(EVERY_SETTING) == set(TABLE)
    assert all(value != TABLE[key]["default"] for key, value in EVERY_SETTING.items())
    environment = stack["every setting"]["environment"]
    expected = ServingSettings(**{field_name(key): value for key, value in EVERY_SETTING.items()})
    assert load_settings(environment) == expected


def test_the_default_config_leaves_the_container_its_defaults(stack):
    assert load_settings(stack["default"]["environment"]) == ServingSettings()
    # Serverless memory holds one model copy: one worker, unless the config says otherwise.
    assert load_settings(stack["serverless"]["environment"]) == ServingSettings(workers=1)
