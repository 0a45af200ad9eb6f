"""MODEL_DIR handling: folders get model/code linked in, tarballs are unpacked safely, bad sources are named."""

from __future__ import annotations

import io
import json
import tarfile
from pathlib import Path

import pytest

from model_source import ModelSourceError, resolve_model_dir
from settings import SettingsError, load_settings


def make_model(folder: Path, with_code: bool = False) -> Path:
    folder.mkdir(parents=True)
    (folder / "config.json").write_text("{}")
    (folder / "model.safetensors").write_bytes(b"weights")
    if with_code:
        (folder / "code").mkdir()
        (folder / "code" / "inference.py").write_text("# packaged code\n")
    return folder


def make_code(folder: Path) -> Path:
    folder.mkdir(parents=True)
    (folder / "inference.py").write_text("# repository code\n")
    return folder


def test_a_plain_folder_gets_the_repository_code_linked_beside_its_files(tmp_path):
    model = make_model(tmp_path / "hf")
    served = resolve_model_dir(model, tmp_path / "scratch", code_dir=make_code(tmp_path / "code"))
    assert (served / "config.json").read_text() == "{}"
    assert (served / "code" / "inference.py").read_text() == "# repository code\n"
    assert not (model / "code").exists()  # the user's folder is left alone


def test_a_folder_with_its_own_code_is_served_as_is(tmp_path):
    model = make_model(tmp_path / "hf", with_code=True)
    assert resolve_model_dir(model, tmp_path / "scratch", code_dir=make_code(tmp_path / "code")) == model


def test_a_tarball_is_unpacked_like_sagemaker_does(tmp_path):
    model = make_model(tmp_path / "hf", with_code=True)
    tarball = tmp_path / "model.tar.gz"
    with tarfile.open(tarball, "w:gz") as archive:
        for entry in sorted(model.rglob("*")):
            archive.add(entry, arcname=str(entry.relative_to(model)), recursive=False)
    served = resolve_model_dir(tarball, tmp_path / "scratch")
    assert (served / "code" / "inference.py").read_text() == "# packaged code\n"


def test_a_tarball_escaping_its_folder_is_refused(tmp_path):
    tarball = tmp_path / "evil.tar.gz"
    with tarfile.open(tarball, "w:gz") as archive:
        data = b"x"
        member = tarfile.TarInfo("../escaped.txt")
        member.size = len(data)
        archive.addfile(member, io.BytesIO(data))
    with pytest.raises(ModelSourceError, match="cannot unpack"):
        resolve_model_dir(tarball, tmp_path / "scratch")
    assert not (tmp_path / "escaped.txt").exists()


def test_a_folder_without_config_is_refused_with_the_missing_file_named(tmp_path):
    (tmp_path / "empty").mkdir()
    with pytest.raises(ModelSourceError, match=r"config\.json"):
        resolve_model_dir(tmp_path / "empty", tmp_path / "scratch", code_dir=make_code(tmp_path / "code"))


def test_settings_list_every_problem_at_once(tmp_path):
    with pytest.raises(SettingsError) as raised:
        load_settings(
            {
                "MODEL_DIR": str(tmp_path / "missing"),
                "ENDPOINT_PORT": "99999",
                "ENDPOINT_NAME": "bad_name!",
                "LOCAL_ENDPOINT_TEST_DELAY_MS": "soon",
            }
        )
    problems = "\n".join(raised.value.problems)
    for fragment in ("does not exist", "ENDPOINT_PORT", "ENDPOINT_NAME", "LOCAL_ENDPOINT_TEST_DELAY_MS"):
        assert fragment in problems
    assert len(raised.value.problems) == 4


def test_settings_defaults(tmp_path):
    settings = load_settings({"MODEL_DIR": str(tmp_path)})
    assert (settings.port, settings.endpoint_name, settings.workers, settings.container_timeout_s) == (
        8080,
        "local-vit",
        None,
        60.0,
    )


def test_workers_take_the_range_the_container_and_the_stack_enforce(tmp_path):
    table = json.loads((Path(__file__).resolve().parents[3] / "model" / "code" / "serving_settings.json").read_text())
    workers = table["settings"]["workers"]
    environ = {"MODEL_DIR": str(tmp_path)}
    assert load_settings({**environ, "SAGEMAKER_MODEL_SERVER_WORKERS": str(workers["max"])}).workers == workers["max"]
    for outside in (workers["min"] - 1, workers["max"] + 1):
        with pytest.raises(SettingsError, match="SAGEMAKER_MODEL_SERVER_WORKERS"):
            load_settings({**environ, "SAGEMAKER_MODEL_SERVER_WORKERS": str(outside)})
