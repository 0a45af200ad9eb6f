"""package_model.py with a model id: the real CLI and huggingface_hub against a loopback Hub (fake_hub.py).

No network: HF_ENDPOINT points huggingface_hub at the loopback server, HF_HUB_CACHE / HF_HOME at a folder of the test
(so neither the machine's cache nor its saved login is used). The artifacts go where the stack config expects them,
model/.cache/huggingface/<org>--<name>/<sha>/, under a repo id unique to the run that the fixture removes.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import shutil
import socket
import subprocess
import sys
import tarfile
import time
import uuid
from pathlib import Path

import pytest

from conftest import MODEL_ROOT, SCRIPT_ENV, extracted_answer
from fake_hub import FakeHub

SCRIPT = MODEL_ROOT / "scripts" / "package_model.py"
ARTIFACTS = MODEL_ROOT / ".cache" / "huggingface"
CLUTTER = ("README.md", "tf_model.h5", "flax_model.msgpack", "pytorch_model.bin", "model.onnx", ".gitattributes")
SECRET_TOKEN = "hf_" + "loopbacktokenforthetests0123456789"


@pytest.fixture
def org():
    """A namespace unique to this test; its packaged artifacts are removed afterwards."""
    name = f"pytest-{uuid.uuid4().hex[:8]}"
    yield name
    for folder in ARTIFACTS.glob(f"{name}--*"):
        shutil.rmtree(folder)


@pytest.fixture
def hub():
    with FakeHub() as server:
        yield server


@pytest.fixture
def hub_folder(demo_model_dir, tmp_path) -> Path:
    """The demo model as a Hub repo holds it: with the other frameworks' weights, a README and git attributes."""
    folder = tmp_path / "repo"
    shutil.copytree(demo_model_dir, folder)
    for name in CLUTTER:
        (folder / name).write_bytes(b"not for inference: " + name.encode())
    return folder


@pytest.fixture(scope="session")
def large_model(demo_model_dir, tmp_path_factory) -> Path:
    """A ViT classifier of ~28 MB: large enough that huggingface_hub writes part of it (10 MB blocks) before a cut."""
    import torch
    from transformers import ViTConfig, ViTForImageClassification

    demo = json.loads((demo_model_dir / "config.json").read_text())
    torch.manual_seed(0)
    config = ViTConfig(
        hidden_size=384,
        num_hidden_layers=4,
        num_attention_heads=6,
        intermediate_size=1536,
        image_size=64,
        patch_size=16,
        id2label={int(k): v for k, v in demo["id2label"].items()},
        label2id=demo["label2id"],
        architectures=["ViTForImageClassification"],
    )
    folder = tmp_path_factory.mktemp("large-model")
    ViTForImageClassification(config).save_pretrained(folder)
    shutil.copy(demo_model_dir / "preprocessor_config.json", folder)
    assert (folder / "model.safetensors").stat().st_size > 25_000_000
    return folder


def hub_env(tmp_path: Path, endpoint: str, token: str | None = None, cache: str = "hf-cache") -> dict[str, str]:
    env = {k: v for k, v in SCRIPT_ENV.items() if not k.startswith(("HF_", "HUGGING_FACE_"))}
    env |= {
        "HF_ENDPOINT": endpoint,
        "HF_HUB_CACHE": str(tmp_path / cache),
        "HF_HOME": str(tmp_path / "hf-home"),
        "HF_HUB_DISABLE_PROGRESS_BARS": "1",
        "HF_HUB_DISABLE_TELEMETRY": "1",
    }
    if token is not None:
        env["HF_TOKEN"] = token
    return env


def package(env: dict[str, str], *args: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(SCRIPT), *map(str, args)],
        capture_output=True,
        text=True,
        check=False,
        env=env,
        cwd=MODEL_ROOT.parent,
        timeout=300,
    )


def package_folder(folder: Path, out: Path) -> str:
    result = subprocess.run(
        [sys.executable, str(SCRIPT), str(folder), str(out)], capture_output=True, text=True, env=SCRIPT_ENV
    )
    assert result.returncode == 0, result.stderr
    return sha256(out)


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def error_line(result: subprocess.CompletedProcess[str]) -> str:
    """The one line a failure prints (asserting it is one line, starting with error:)."""
    lines = [line for line in result.stderr.splitlines() if line.startswith("error: ")]
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr, result.stderr
    return lines[0]


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def cdn_downloads(hub: FakeHub) -> list[dict[str, str]]:
    return hub.requested("GET", "/cdn/")


def resolved_names(hub: FakeHub) -> set[str]:
    """Files the client asked the resolve endpoint about (HEAD or GET)."""
    with hub._lock:
        return {path.rsplit("/", 1)[1] for _, path, _ in hub.requests if "/resolve/" in path}


def test_a_model_id_is_downloaded_verified_and_packaged_like_its_folder(hub, hub_folder, org, tmp_path):
    # Prepare
    repo = f"{org}/vit-demo"
    sha = hub.add_commit(repo, hub_folder)
    # Act
    result = package(hub_env(tmp_path, hub.endpoint), repo)
    # Assess
    assert result.returncode == 0, result.stderr
    out = ARTIFACTS / f"{org}--vit-demo" / sha / "model.tar.gz"
    assert f"wrote {out.relative_to(MODEL_ROOT.parent)}" in result.stdout
    assert f"sha256 {sha256(out)}" in result.stdout
    assert f"size {out.stat().st_size} bytes" in result.stdout
    # Only what inference needs was asked for: never the README, TF/Flax/ONNX weights or the pickle.
    assert resolved_names(hub) == {"config.json", "preprocessor_config.json", "model.safetensors"}
    assert len(cdn_downloads(hub)) == 1
    with tarfile.open(out) as tar:
        names = set(tar.getnames())
    assert {name for name in names if not name.startswith("code")} == {
        "config.json",
        "preprocessor_config.json",
        "model.safetensors",
    }
    # Byte for byte what packaging the repo's folder gives (the same files, the same deterministic archive).
    assert sha256(out) == package_folder(hub_folder, tmp_path / "from-folder.tar.gz")


def test_an_unpinned_revision_is_resolved_and_the_pin_printed(hub, hub_folder, org, tmp_path):
    repo = f"{org}/vit-demo"
    sha = hub.add_commit(repo, hub_folder)
    result = package(hub_env(tmp_path, hub.endpoint), repo)
    assert result.returncode == 0, result.stderr
    assert f"{repo}: main is commit {sha}" in result.stderr
    assert f"npm run model:package -- {repo} --revision {sha}" in result.stdout
    setting = {"huggingFace": {"id": repo, "revision": sha}}
    assert f'"modelArtifact": {json.dumps(setting)}' in result.stdout
    # Every file was fetched at the commit, not at the branch (a push mid-download cannot mix two versions).
    with hub._lock:
        assert all(f"/resolve/{sha}/" in path for _, path, _ in hub.requests if "/resolve/" in path)
    pinned = package(hub_env(tmp_path, hub.endpoint), repo, "--revision", sha)
    assert pinned.returncode == 0, pinned.stderr
    assert "--revision" not in pinned.stdout


def test_a_pinned_revision_gives_the_same_sha256_every_time_and_loads_in_model_fn(hub, hub_folder, org, tmp_path):
    # Prepare
    repo = f"{org}/vit-demo"
    sha = hub.add_commit(repo, hub_folder)
    first, second = tmp_path / "first.tar.gz", tmp_path / "second.tar.gz"
    # Act: two runs, each with an empty Hugging Face cache, so the second downloads and packages everything again.
    one = package(hub_env(tmp_path, hub.endpoint, cache="cache-1"), repo, "--revision", sha, first)
    two = package(hub_env(tmp_path, hub.endpoint, cache="cache-2"), repo, "--revision", sha, second)
    # Assess
    assert one.returncode == 0, one.stderr
    assert two.returncode == 0, two.stderr
    assert len(cdn_downloads(hub)) == 2
    assert sha256(first) == sha256(second)
    assert f"sha256 {sha256(first)}" in two.stdout
    assert f'"modelArtifact": {{"path": "{first}"}}' in one.stdout
    extracted = tmp_path / "opt-ml-model"
    with tarfile.open(first) as tar:
        tar.extractall(extracted, filter="data")
    assert extracted_answer(extracted)["predictions"][0]["label"] == "red_disc"


def test_a_pinned_commit_packages_again_without_network_and_reuses_its_tarball(hub, hub_folder, org, tmp_path):
    repo = f"{org}/vit-demo"
    sha = hub.add_commit(repo, hub_folder)
    assert package(hub_env(tmp_path, hub.endpoint), repo, "--revision", sha).returncode == 0
    out = ARTIFACTS / f"{org}--vit-demo" / sha / "model.tar.gz"
    built = sha256(out)
    offline = hub_env(tmp_path, f"http://127.0.0.1:{closed_port()}")
    again = package(offline, repo, "--revision", sha)
    assert again.returncode == 0, again.stderr
    assert "is up to date" in again.stderr
    assert sha256(out) == built
    # A changed tarball is rebuilt, not trusted.
    out.write_bytes(b"tampered")
    rebuilt = package(offline, repo, "--revision", sha)
    assert rebuilt.returncode == 0, rebuilt.stderr
    assert "is up to date" not in rebuilt.stderr
    assert sha256(out) == built
    # A branch has to be asked for: it moves.
    unpinned = package(offline, repo)
    assert unpinned.returncode == 1
    assert "cannot reach" in error_line(unpinned)


def test_no_network_is_one_line_with_the_fix(org, tmp_path):
    port = closed_port()
    result = package(hub_env(tmp_path, f"http://127.0.0.1:{port}"), f"{org}/vit-demo")
    assert result.returncode == 1
    assert error_line(result) == (
        f"error: cannot reach http://127.0.0.1:{port} (connection refused): check the network and proxy "
        "(HTTPS_PROXY); a model downloaded once at a commit sha packages again offline"
    )
    assert not list(ARTIFACTS.glob(f"{org}--*"))


def test_a_missing_repo_names_the_id_and_the_login(hub, org, tmp_path):
    repo = f"{org}/no-such-model"
    result = package(hub_env(tmp_path, hub.endpoint), repo)
    assert result.returncode == 1
    line = error_line(result)
    assert line.startswith(f"error: {repo} was not found on {hub.endpoint}: check the id ({hub.endpoint}/{repo})")
    assert "if it is private, set HF_TOKEN" in line
    assert "`.venv/bin/hf auth login`" in line
    with_token = package(hub_env(tmp_path, hub.endpoint, token=SECRET_TOKEN), repo)
    assert error_line(with_token) == (
        f"error: {repo} was not found on {hub.endpoint} with your token: check the id ({hub.endpoint}/{repo})"
    )
    assert SECRET_TOKEN not in with_token.stderr + with_token.stdout


def test_a_revision_that_does_not_exist(hub, hub_folder, org, tmp_path):
    repo = f"{org}/vit-demo"
    hub.add_commit(repo, hub_folder)
    for revision in ("v2.0", "0" * 40):
        result = package(hub_env(tmp_path, hub.endpoint), repo, "--revision", revision)
        assert result.returncode == 1
        assert error_line(result) == (
            f"error: {repo} has no revision {revision!r}: use a commit sha, branch or tag from "
            f"{hub.endpoint}/{repo}/commits/main"
        )


def test_a_private_repo_needs_the_token_which_never_reaches_the_tarball(hub, hub_folder, org, tmp_path):
    # Prepare
    repo = f"{org}/private-vit"
    hub.add_commit(repo, hub_folder, private=True, tokens=frozenset({SECRET_TOKEN}))
    # Act
    anonymous = package(hub_env(tmp_path, hub.endpoint), repo)
    authorised = package(hub_env(tmp_path, hub.endpoint, token=SECRET_TOKEN), repo, tmp_path / "private.tar.gz")
    # Assess
    assert "if it is private, set HF_TOKEN" in error_line(anonymous)
    assert authorised.returncode == 0, authorised.stderr
    with gzip.open(tmp_path / "private.tar.gz") as archive:
        assert SECRET_TOKEN.encode() not in archive.read()
    assert SECRET_TOKEN not in authorised.stdout + authorised.stderr
    cached = [path for path in (tmp_path / "hf-cache").rglob("*") if path.is_file()]
    assert cached
    assert all(SECRET_TOKEN.encode() not in path.read_bytes() for path in cached)


def test_a_gated_repo_says_how_to_get_access(hub, hub_folder, org, tmp_path):
    repo = f"{org}/gated-vit"
    hub.add_commit(repo, hub_folder, gated=True, tokens=frozenset({SECRET_TOKEN}))
    no_token = package(hub_env(tmp_path, hub.endpoint), repo)
    assert error_line(no_token) == (
        f"error: {repo} is gated: accept its conditions at {hub.endpoint}/{repo} while logged in, then set HF_TOKEN "
        f"to a read token from {hub.endpoint}/settings/tokens or run `.venv/bin/hf auth login`"
    )
    other_token = package(hub_env(tmp_path, hub.endpoint, token="hf_someoneelse"), repo)
    assert f"error: {repo} is gated: your token has no access yet: accept" in error_line(other_token)
    allowed = package(hub_env(tmp_path, hub.endpoint, token=SECRET_TOKEN), repo)
    assert allowed.returncode == 0, allowed.stderr
    # The token goes to the Hub only, never to the CDN host the weights are redirected to.
    last_run = hub.requested("HEAD", "/resolve/")[-3:]
    assert all(headers.get("authorization") == f"Bearer {SECRET_TOKEN}" for headers in last_run)
    assert cdn_downloads(hub)
    assert all("authorization" not in headers for headers in cdn_downloads(hub))


def test_a_model_that_is_not_an_image_classifier_is_refused_before_its_weights(hub, hub_folder, org, tmp_path):
    # Prepare: a text model's config (no *ForImageClassification architecture, no labels).
    config = {"architectures": ["BertForMaskedLM"], "model_type": "bert", "hidden_size": 96}
    (hub_folder / "config.json").write_text(json.dumps(config))
    repo = f"{org}/bert-tiny"
    sha = hub.add_commit(repo, hub_folder)
    # Act
    result = package(hub_env(tmp_path, hub.endpoint), repo)
    # Assess
    assert result.returncode == 1
    line = error_line(result)
    assert line.startswith(f"error: {repo}@{sha[:12]} is not an image classifier (config.json architectures ")
    assert "no id2label mapping" in line
    assert line.endswith(f"pick a model from {hub.endpoint}/models?pipeline_tag=image-classification")
    assert cdn_downloads(hub) == []
    assert resolved_names(hub) == {"config.json"}


def test_pickle_only_weights_are_refused_with_the_revision_that_has_safetensors(hub, hub_folder, org, tmp_path):
    # Prepare: an older commit with pytorch_model.bin only, main with model.safetensors (google/vit-base-patch16-384's
    # own history: be89a4a... before the Hub's safetensors conversion, main after it).
    import torch
    from safetensors.torch import load_file

    repo = f"{org}/vit-demo"
    old = tmp_path / "old"
    shutil.copytree(hub_folder, old)
    torch.save(load_file(old / "model.safetensors"), old / "pytorch_model.bin")
    (old / "model.safetensors").unlink()
    old_sha = hub.add_commit(repo, old, branch=None)
    main_sha = hub.add_commit(repo, hub_folder)
    # Act
    result = package(hub_env(tmp_path, hub.endpoint), repo, "--revision", old_sha)
    # Assess
    assert result.returncode == 1
    assert error_line(result) == (
        f"error: {repo}@{old_sha[:12]} has no safetensors weights, only pytorch_model.bin (a pickle: loading one can "
        f"run code, so this command does not download it); main ({main_sha[:12]}) has them: --revision {main_sha}"
    )
    assert "pytorch_model.bin" not in resolved_names(hub)


def test_no_preprocessor_config_is_refused(hub, hub_folder, org, tmp_path):
    (hub_folder / "preprocessor_config.json").unlink()
    repo = f"{org}/vit-demo"
    sha = hub.add_commit(repo, hub_folder)
    result = package(hub_env(tmp_path, hub.endpoint), repo)
    assert error_line(result).startswith(f"error: {repo}@{sha[:12]} has no preprocessor_config.json")


def test_sharded_safetensors_are_downloaded_with_their_index(hub, demo_model_dir, org, tmp_path):
    from transformers import ViTForImageClassification

    folder = tmp_path / "sharded"
    ViTForImageClassification.from_pretrained(demo_model_dir).save_pretrained(folder, max_shard_size="500KB")
    shutil.copy(demo_model_dir / "preprocessor_config.json", folder)
    shards = sorted(path.name for path in folder.glob("model-*-of-*.safetensors"))
    assert len(shards) >= 2
    repo = f"{org}/sharded-vit"
    hub.add_commit(repo, folder)
    out = tmp_path / "sharded.tar.gz"
    result = package(hub_env(tmp_path, hub.endpoint), repo, out)
    assert result.returncode == 0, result.stderr
    with tarfile.open(out) as tar:
        names = {name for name in tar.getnames() if not name.startswith("code")}
    assert names == {"config.json", "preprocessor_config.json", "model.safetensors.index.json", *shards}
    assert sha256(out) == package_folder(folder, tmp_path / "from-folder.tar.gz")


def test_a_transfer_that_breaks_off_resumes_where_it_stopped(hub, large_model, org, tmp_path):
    # Prepare: the weights' connection drops after 12 MB, once.
    repo = f"{org}/vit-large"
    hub.add_commit(repo, large_model)
    hub.faults.cut_after["model.safetensors"] = 12_000_000
    out = tmp_path / "large.tar.gz"
    # Act
    result = package(hub_env(tmp_path, hub.endpoint), repo, out)
    # Assess
    assert result.returncode == 0, result.stderr
    assert "model.safetensors: the transfer broke off (ChunkedEncodingError); resuming" in result.stderr
    ranges = [headers.get("range") for headers in cdn_downloads(hub)]
    assert ranges[0] is None
    assert ranges[1] is not None
    assert ranges[1].startswith("bytes=10485760-")  # huggingface_hub had written its first 10 MB block
    assert sha256(out) == package_folder(large_model, tmp_path / "from-folder.tar.gz")


def wait_for_partial_blob(cache: Path, size: int) -> Path:
    """The download's .incomplete file once it holds `size` bytes (huggingface_hub writes 10 MB blocks)."""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        found = [path for path in cache.rglob("*.incomplete") if path.stat().st_size >= size]
        if found:
            return found[0]
        time.sleep(0.05)
    raise AssertionError(f"no partial download of {size} bytes in {cache}")


def test_a_killed_download_resumes_on_the_next_run(hub, large_model, org, tmp_path):
    # Prepare: the weights' response stalls after 12 MB; the packager is killed then (as by Ctrl-C or a lost shell).
    repo = f"{org}/vit-large"
    hub.add_commit(repo, large_model)
    hub.faults.stall_after["model.safetensors"] = 12_000_000
    env = hub_env(tmp_path, hub.endpoint)
    process = subprocess.Popen(
        [sys.executable, str(SCRIPT), repo, str(tmp_path / "large.tar.gz")],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        cwd=MODEL_ROOT.parent,
    )
    try:
        assert hub.faults.stalled.wait(timeout=120)
        written = wait_for_partial_blob(tmp_path / "hf-cache", 10 * 1024 * 1024)
    finally:
        process.kill()
        process.wait(timeout=30)
    hub.faults.release.set()
    assert written.stat().st_size == 10 * 1024 * 1024
    assert not (tmp_path / "large.tar.gz").exists()
    # Act
    result = package(env, repo, tmp_path / "large.tar.gz")
    # Assess
    assert result.returncode == 0, result.stderr
    assert cdn_downloads(hub)[-1].get("range") == "bytes=10485760-"
    assert sha256(tmp_path / "large.tar.gz") == package_folder(large_model, tmp_path / "from-folder.tar.gz")


def test_a_transfer_that_keeps_breaking_off_packages_nothing(hub, large_model, org, tmp_path):
    repo = f"{org}/vit-large"
    sha = hub.add_commit(repo, large_model)
    hub.faults.cut_after["model.safetensors"] = 1_000_000  # less than a 10 MB block: no attempt gets further
    hub.faults.cut_times = 100
    result = package(hub_env(tmp_path, hub.endpoint), repo, tmp_path / "never.tar.gz")
    assert result.returncode == 1
    assert error_line(result) == (
        f"error: model.safetensors of {repo}@{sha[:12]}: the transfer broke off 4 times, so nothing was packaged; "
        "run the same command again (it resumes where it stopped)"
    )
    assert not (tmp_path / "never.tar.gz").exists()


def test_corrupted_bytes_are_never_packaged(hub, hub_folder, org, tmp_path):
    # Prepare: the CDN serves the weights with one byte changed (right size, wrong content), every time.
    repo = f"{org}/vit-demo"
    sha = hub.add_commit(repo, hub_folder)
    hub.faults.corrupt.add("model.safetensors")
    # Act
    result = package(hub_env(tmp_path, hub.endpoint), repo, tmp_path / "never.tar.gz")
    # Assess
    assert result.returncode == 1
    line = error_line(result)
    assert line.startswith(f"error: model.safetensors of {repo}@{sha[:12]} arrived corrupted twice (sha256 ")
    assert len(cdn_downloads(hub)) == 2
    assert not (tmp_path / "never.tar.gz").exists()
    blobs = [path.name for path in (tmp_path / "hf-cache").rglob("blobs/*")]
    expected = hashlib.sha256((hub_folder / "model.safetensors").read_bytes()).hexdigest()
    assert expected not in blobs  # the bad copy was deleted, so the next run fetches it again


def test_revision_with_a_folder_and_a_name_that_is_neither_are_refused(hub_folder):
    with_revision = package(dict(SCRIPT_ENV), hub_folder, "--revision", "main")
    assert error_line(with_revision) == f"error: --revision applies to a Hub model id; {hub_folder} is a local folder"
    neither = package(dict(SCRIPT_ENV), "not/a/model")  # too many slashes for a model id: a missing folder
    assert neither.returncode == 2
    assert "not/a/model is not a directory" in neither.stderr
