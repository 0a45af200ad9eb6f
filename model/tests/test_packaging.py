"""package_model.py: exact contents, byte-for-byte reproducible tarballs, and folder validation."""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tarfile
import time
from pathlib import Path

import pytest

from conftest import MODEL_ROOT, SCRIPT_ENV, extracted_answer

SCRIPT = MODEL_ROOT / "scripts" / "package_model.py"
CODE_FILES = [
    *sorted(f"code/{path.name}" for path in (MODEL_ROOT / "code").iterdir() if path.suffix in (".py", ".json")),
    "code/requirements.txt",
]


def run_packager(*args) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(SCRIPT), *map(str, args)], capture_output=True, text=True, check=False, env=SCRIPT_ENV
    )


@pytest.fixture
def model_copy(demo_model_dir, tmp_path) -> Path:
    """The demo model plus clutter a real download has (git metadata, other frameworks' weights, a README)."""
    folder = tmp_path / "hf-model"
    shutil.copytree(demo_model_dir, folder)
    (folder / ".git").mkdir()
    (folder / ".git" / "HEAD").write_text("ref: refs/heads/main\n")
    (folder / "tf_model.h5").write_bytes(b"not ours")
    (folder / "README.md").write_text("# model card\n")
    return folder


@pytest.fixture
def sharded_copy(demo_model_dir, tmp_path) -> Path:
    """The demo model saved the way large checkpoints are: model.safetensors.index.json plus several shards."""
    from transformers import ViTForImageClassification

    folder = tmp_path / "sharded-model"
    ViTForImageClassification.from_pretrained(demo_model_dir).save_pretrained(folder, max_shard_size="500KB")
    shutil.copy(demo_model_dir / "preprocessor_config.json", folder)
    assert not (folder / "model.safetensors").exists()
    assert len(list(folder.glob("model-*-of-*.safetensors"))) >= 2
    return folder


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_tarball_holds_exactly_the_serving_files(model_copy, tmp_path):
    out = tmp_path / "model.tar.gz"
    result = run_packager(model_copy, out)
    assert result.returncode == 0, result.stderr
    with tarfile.open(out) as tar:
        members = tar.getmembers()
    names = [member.name for member in members]
    assert names == sorted(names)
    assert sorted(names) == sorted(
        ["config.json", "preprocessor_config.json", "model.safetensors", "code", *CODE_FILES]
    )
    for member in members:
        assert (member.mtime, member.uid, member.gid, member.uname, member.gname) == (0, 0, 0, "", "")
    assert f"sha256 {sha256(out)}" in result.stdout
    assert f"size {out.stat().st_size} bytes" in result.stdout


def test_gzip_header_has_no_name_and_no_time(model_copy, tmp_path):
    out = tmp_path / "model.tar.gz"
    assert run_packager(model_copy, out).returncode == 0
    header = out.read_bytes()[:10]
    assert header[:3] == b"\x1f\x8b\x08"
    flags, mtime = header[3], int.from_bytes(header[4:8], "little")
    assert flags & 0x08 == 0, "FNAME flag set: the output file name is embedded"
    assert mtime == 0


def test_same_inputs_give_the_same_bytes(model_copy, tmp_path):
    first, second = tmp_path / "a" / "model.tar.gz", tmp_path / "b" / "other-name.tar.gz"
    assert run_packager(model_copy, first).returncode == 0
    # Touch every input: file times must not leak into the archive.
    later = time.time() + 3600
    for path in model_copy.rglob("*"):
        os.utime(path, (later, later))
    assert run_packager(model_copy, second).returncode == 0
    assert sha256(first) == sha256(second)


def test_a_changed_input_changes_the_hash(model_copy, tmp_path):
    first, second = tmp_path / "1.tar.gz", tmp_path / "2.tar.gz"
    assert run_packager(model_copy, first).returncode == 0
    config = json.loads((model_copy / "config.json").read_text())
    config["id2label"]["0"] = "renamed"
    (model_copy / "config.json").write_text(json.dumps(config))
    assert run_packager(model_copy, second).returncode == 0
    assert sha256(first) != sha256(second)


def test_safetensors_preferred_and_pytorch_bin_accepted(model_copy, tmp_path):
    import torch
    from safetensors.torch import load_file

    (model_copy / "pytorch_model.bin").write_bytes(b"stale")
    out = tmp_path / "both.tar.gz"
    assert run_packager(model_copy, out).returncode == 0
    with tarfile.open(out) as tar:
        assert "model.safetensors" in tar.getnames()
        assert "pytorch_model.bin" not in tar.getnames()

    torch.save(load_file(model_copy / "model.safetensors"), model_copy / "pytorch_model.bin")
    (model_copy / "model.safetensors").unlink()
    out = tmp_path / "bin.tar.gz"
    assert run_packager(model_copy, out).returncode == 0
    with tarfile.open(out) as tar:
        assert "pytorch_model.bin" in tar.getnames()


def test_validation_lists_every_problem(model_copy, tmp_path):
    (model_copy / "preprocessor_config.json").unlink()
    (model_copy / "model.safetensors").unlink()
    config = json.loads((model_copy / "config.json").read_text())
    config["architectures"] = ["ViTModel"]
    del config["id2label"]
    (model_copy / "config.json").write_text(json.dumps(config))
    out = tmp_path / "never.tar.gz"
    result = run_packager(model_copy, out)
    assert result.returncode == 2
    assert not out.exists()
    for problem in [
        "preprocessor_config.json is missing",
        "no weights file",
        "is not an image classifier",
        "no id2label",
    ]:
        assert problem in result.stderr


def test_validation_rejects_non_json_and_missing_folder(tmp_path):
    (tmp_path / "config.json").write_text("{not json")
    result = run_packager(tmp_path, tmp_path / "x.tar.gz")
    assert result.returncode == 2
    assert "config.json is not valid JSON" in result.stderr
    result = run_packager(tmp_path / "nowhere", tmp_path / "x.tar.gz")
    assert result.returncode == 2
    assert "is not a directory" in result.stderr


def test_extracted_tarball_serves(model_copy, tmp_path):
    """The archive is what SageMaker unpacks into /opt/ml/model: loading it from there must work."""
    out = tmp_path / "model.tar.gz"
    assert run_packager(model_copy, out).returncode == 0
    extracted = tmp_path / "opt-ml-model"
    with tarfile.open(out) as tar:
        tar.extractall(extracted, filter="data")
    assert "predictions" in extracted_answer(extracted)


def test_gzip_stream_is_a_plain_tar(model_copy, tmp_path):
    out = tmp_path / "model.tar.gz"
    assert run_packager(model_copy, out).returncode == 0
    with gzip.open(out) as stream:
        assert stream.read(512)[257:262] == b"ustar"


def test_sharded_safetensors_are_packaged_with_their_index_and_serve(sharded_copy, model_copy, tmp_path):
    out = tmp_path / "sharded.tar.gz"
    result = run_packager(sharded_copy, out)
    assert result.returncode == 0, result.stderr
    shards = sorted(path.name for path in sharded_copy.glob("model-*-of-*.safetensors"))
    with tarfile.open(out) as tar:
        names = tar.getnames()
        tar.extractall(tmp_path / "opt-ml-model", filter="data")
    assert sorted(set(names) - {"code", *CODE_FILES}) == sorted(
        ["config.json", "preprocessor_config.json", "model.safetensors.index.json", *shards]
    )
    single = tmp_path / "single"
    shutil.copytree(model_copy, single)
    assert extracted_answer(tmp_path / "opt-ml-model") == extracted_answer(single)


def test_a_missing_shard_is_named(sharded_copy, tmp_path):
    missing = sorted(sharded_copy.glob("model-*-of-*.safetensors"))[-1]
    missing.unlink()
    result = run_packager(sharded_copy, tmp_path / "never.tar.gz")
    assert result.returncode == 2
    assert f"model.safetensors.index.json names shards that are missing: {missing.name}" in result.stderr
    assert not (tmp_path / "never.tar.gz").exists()
