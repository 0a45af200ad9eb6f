"""Precision: which number format each CPU gets, and the logit guard that keeps answers the same.

The choice is tested with the feature sets of the CPUs behind the instance types users rent, faked, so it is
checked on any machine; the guard runs the real models (random ViT-B/16-384, the trained demo model, a model
made to break in bf16) in bf16 whatever this CPU is (bf16 rounding is the same emulated or native, only slower).
"""

from __future__ import annotations

import copy
import json
import shutil

import pytest
import torch
from PIL import Image
from safetensors.torch import load_file, save_file

import inference
import serving_hardware
import serving_model
import serving_prepack
import serving_runtime
from conftest import encode, mms_context
from demo.vit_base_384 import write_vit_base_384
from serving_hardware import CpuFeatures, parse_cpuinfo, physical_cores
from serving_precision import TOLERANCE, compare_logits
from serving_runtime import precision_choice
from serving_settings import ServingSettings, load_settings

BASE = {"sse4_2", "avx", "avx2", "fma"}
CPUS = {  # flags as /proc/cpuinfo spells them, trimmed to what matters
    "m5 (Skylake)": CpuFeatures("Intel Xeon Platinum 8175M", frozenset(BASE | {"avx512f", "avx512bw", "avx512dq"})),
    "c5 (Cascade Lake)": CpuFeatures(
        "Intel Xeon Platinum 8275CL", frozenset(BASE | {"avx512f", "avx512bw", "avx512_vnni"})
    ),
    "c6i (Ice Lake)": CpuFeatures(
        "Intel Xeon Platinum 8375C", frozenset(BASE | {"avx512f", "avx512bw", "avx512_vnni"})
    ),
    "c7i (Sapphire Rapids)": CpuFeatures(
        "Intel Xeon Platinum 8488C",
        frozenset(BASE | {"avx512f", "avx512bw", "avx512_vnni", "avx512_bf16", "amx_tile", "amx_bf16", "amx_int8"}),
    ),
    "AMD Zen 5": CpuFeatures("AMD EPYC", frozenset(BASE | {"avx512f", "avx512bw", "avx512_vnni", "avx512_bf16"})),
    "AVX2 only": CpuFeatures("AMD EPYC 7R32", frozenset(BASE)),
}
AMX = CPUS["c7i (Sapphire Rapids)"]


@pytest.mark.parametrize(
    ("cpu", "expected"),
    [
        ("m5 (Skylake)", "float32"),  # torch's mkldnn check says bf16 here, but it is emulated: slower than fp32
        ("c5 (Cascade Lake)", "float32"),
        ("c6i (Ice Lake)", "float32"),
        ("c7i (Sapphire Rapids)", "bfloat16"),
        ("AMD Zen 5", "bfloat16"),
        ("AVX2 only", "float32"),
    ],
)
def test_auto_picks_bf16_only_where_the_cpu_runs_it_natively(cpu, expected):
    assert precision_choice("auto", "cpu", CPUS[cpu]).precision == expected


def test_explicit_choices_on_cpu():
    assert precision_choice("float32", "cpu", AMX).precision == "float32"  # forced, even with AMX
    assert precision_choice("bfloat16", "cpu", CPUS["c6i (Ice Lake)"]).precision == "float32"  # would be emulated
    assert precision_choice("bfloat16", "cpu", AMX).precision == "bfloat16"
    assert precision_choice("float16", "cpu", AMX).precision == "float32"
    int8 = precision_choice("int8", "cpu", CPUS["c6i (Ice Lake)"])
    assert int8.precision == "int8"
    assert "VNNI" in int8.reason
    assert int8.dtype == torch.float32
    assert "no VNNI" in precision_choice("int8", "cpu", CPUS["m5 (Skylake)"]).reason
    assert "AMX" in precision_choice("auto", "cpu", AMX).reason


def test_choices_on_gpu():
    no_cpu = CpuFeatures("", frozenset())
    assert precision_choice("auto", "cuda", no_cpu, cuda_bf16=True).precision == "bfloat16"
    assert precision_choice("auto", "cuda", no_cpu, cuda_bf16=False).precision == "float16"  # e.g. T4 (g4dn)
    assert precision_choice("float16", "cuda", no_cpu, cuda_bf16=True).precision == "float16"
    assert precision_choice("float32", "cuda", no_cpu, cuda_bf16=True).precision == "float32"
    assert precision_choice("int8", "cuda", no_cpu).precision == "float32"


def test_auto_is_the_default_and_int8_and_compile_are_settings():
    assert ServingSettings().dtype == "auto"
    assert load_settings({}).dtype == "auto"
    assert load_settings({"INFERENCE_DTYPE": "int8", "INFERENCE_COMPILE": "1"}) == ServingSettings(
        dtype="int8", compile=True
    )
    assert ServingSettings().prepack
    assert not load_settings({"INFERENCE_PREPACK": "0"}).prepack
    with pytest.raises(ValueError, match="INFERENCE_COMPILE"):
        load_settings({"INFERENCE_COMPILE": "yes please"})


def test_cpuinfo_is_parsed_from_the_kernels_format():
    text = (
        "processor\t: 0\nmodel name\t: Intel(R) Xeon(R) Platinum 8488C\n"
        "flags\t\t: fpu avx2 avx512f amx_tile amx_bf16\n\n"
        "processor\t: 1\nmodel name\t: other\nflags\t\t: fpu\n"
    )
    cpu = parse_cpuinfo(text)
    assert cpu.model == "Intel(R) Xeon(R) Platinum 8488C"
    assert cpu.amx_bf16
    assert cpu.native_bf16
    assert "amx_bf16" in cpu.describe()
    assert "fpu" not in cpu.describe()
    assert serving_hardware.read_cpu_features("/nonexistent/cpuinfo").flags == frozenset()


def test_physical_cores_count_hyperthread_siblings_once(tmp_path):
    # 4 vCPUs on 2 cores, as on an ml.c7i.xlarge: cpu0/cpu2 and cpu1/cpu3 are siblings.
    for cpu, siblings in {0: "0,2", 1: "1,3", 2: "0,2", 3: "1,3"}.items():
        topology = tmp_path / f"cpu{cpu}" / "topology"
        topology.mkdir(parents=True)
        (topology / "thread_siblings_list").write_text(siblings + "\n")
    assert physical_cores({0, 1, 2, 3}, tmp_path) == 2
    assert physical_cores({0, 2}, tmp_path) == 1
    assert physical_cores({0, 1, 7}, tmp_path) == 3  # cpu7 has no topology: counted as its own core


def test_threads_per_worker_use_physical_cores(monkeypatch):
    monkeypatch.setattr(serving_runtime, "available_cores", lambda: 4)
    assert serving_runtime.worker_threads(0, False, None, cores=2) == 2  # 4 vCPUs, 2 cores, one local process
    assert serving_runtime.worker_threads(0, True, 1, cores=2) == 2
    assert serving_runtime.worker_threads(0, True, 2, cores=2) == 1
    assert serving_runtime.worker_threads(0, True, None, cores=2) == 1  # server default: a worker per vCPU


def test_guard_ignores_near_tie_flips_but_not_confident_ones():
    reference = torch.tensor([[1.00, 0.99, -3.0], [5.0, 0.0, -3.0]])
    near_tie_flipped = torch.tensor([[0.99, 1.00, -3.0], [5.0, 0.0, -3.0]])
    result = compare_logits(reference, near_tie_flipped)
    assert result.ok
    assert result.confident_probes == 1
    assert result.top1_flips == 0
    confident_flipped = torch.tensor([[1.00, 0.99, -3.0], [1.2, 1.3, -3.0]])
    refused = compare_logits(reference, confident_flipped)
    assert not refused.ok
    assert refused.top1_flips == 1


def test_guard_refuses_large_logit_changes_and_non_finite_logits():
    reference = torch.tensor([[2.0, 0.0, -2.0]])  # spread 4
    assert compare_logits(reference, reference + torch.tensor([[TOLERANCE * 4 * 0.9, 0, 0]])).ok
    assert not compare_logits(reference, reference + torch.tensor([[0, TOLERANCE * 4 * 1.1, 0]])).ok
    overflow = compare_logits(reference, torch.tensor([[float("inf"), 0.0, -2.0]]))
    assert not overflow.ok
    assert overflow.max_relative_error == float("inf")


@pytest.fixture
def amx_cpu(monkeypatch):
    """Pretend to be an AMX CPU: the choice says bf16; the bf16 arithmetic itself really runs on this CPU."""
    monkeypatch.setattr(serving_hardware, "read_cpu_features", lambda *_: AMX)


@pytest.mark.usefixtures("amx_cpu")
def test_random_vit_base_384_gets_bf16(monkeypatch, tmp_path):
    monkeypatch.setattr(serving_model, "PROBES", 4)  # bf16 may be emulated (slow) on the machine running tests
    folder = write_vit_base_384(tmp_path / "vit-base-patch16-384")
    model = serving_model.load_model(folder, ServingSettings(warmup=False))
    assert model.precision == "bfloat16"
    assert next(model.model.parameters()).dtype == torch.bfloat16
    assert model.prepacked == _prepack_works(torch.bfloat16)  # oneDNN has no bf16 kernels on AVX2-only CPUs
    assert model.guard is not None
    assert model.guard.ok
    assert model.guard.max_relative_error < TOLERANCE / 3


@pytest.mark.usefixtures("amx_cpu")
def test_demo_model_gets_bf16_and_keeps_its_answers(demo_model_dir, monkeypatch):
    monkeypatch.setattr(inference, "SETTINGS", ServingSettings())
    model = inference.model_fn(str(demo_model_dir))
    assert model.precision == "bfloat16"
    assert model.dtype == torch.bfloat16
    context = mms_context("top_k=1")
    body = encode(Image.new("RGB", (64, 64), (10, 10, 230)), "PNG")
    answer = json.loads(
        inference.output_fn(
            inference.predict_fn(inference.input_fn(body, "image/png", context), model, context),
            "application/json",
            context,
        )
    )
    assert answer["predictions"][0]["score"] > 0


@pytest.fixture(scope="module")
def bf16_breaking_model(demo_model_dir, tmp_path_factory):
    """The demo model with a huge bias added equally to every class: softmax (and fp32) answers are unchanged,
    but in bf16 (8-bit mantissa: steps of 128 near 3e4) the small differences between the logits vanish."""
    folder = tmp_path_factory.mktemp("bf16-breaking")
    shutil.copytree(demo_model_dir, folder, dirs_exist_ok=True)
    weights = load_file(folder / "model.safetensors")
    weights["classifier.bias"] = weights["classifier.bias"] + 3e4
    save_file(weights, folder / "model.safetensors", metadata={"format": "pt"})
    return folder


@pytest.mark.usefixtures("amx_cpu")
def test_model_that_breaks_in_bf16_stays_float32(bf16_breaking_model, loaded_model):
    model = serving_model.load_model(bf16_breaking_model, ServingSettings())
    assert model.precision == "float32"
    assert next(model.model.parameters()).dtype == torch.float32
    assert model.guard is not None
    assert not model.guard.ok
    assert model.guard.max_relative_error > 1
    # The refused attempt left the float32 weights untouched: same answers as the original demo model.
    pixels = model.preprocess([Image.new("RGB", (64, 64), (230, 10, 10))])
    assert model.classify(pixels, 1)[0][0]["label"] == loaded_model.classify(pixels, 1)[0][0]["label"]


@pytest.mark.usefixtures("amx_cpu")
def test_float32_setting_forces_float32_even_with_amx(demo_model_dir):
    model = serving_model.load_model(demo_model_dir, ServingSettings(dtype="float32"))
    assert model.precision == "float32"
    assert next(model.model.parameters()).dtype == torch.float32
    assert model.prepacked == _prepack_works(torch.float32)
    assert model.guard is not None
    assert model.guard.ok  # packing is guarded too
    plain = serving_model.load_model(demo_model_dir, ServingSettings(dtype="float32", prepack=False))
    assert (plain.precision, plain.prepacked, plain.guard) == ("float32", False, None)


def _prepack_works(dtype: torch.dtype) -> bool:
    """Whether this torch build and CPU run oneDNN's packed linear in `dtype` (bf16 needs AVX-512 or AMX)."""
    return serving_prepack.prepack_linears(torch.nn.Sequential(torch.nn.Linear(8, 8)).to(dtype)) == 1


@pytest.mark.parametrize("dtype", [torch.float32, torch.bfloat16])
def test_prepacked_linears_compute_what_eager_does(dtype):
    if not _prepack_works(dtype):
        pytest.skip(f"oneDNN has no {dtype} linear kernels on this CPU / torch build")
    torch.manual_seed(0)
    eager = torch.nn.Sequential(torch.nn.Linear(48, 96), torch.nn.GELU(), torch.nn.Linear(96, 8, bias=False)).to(dtype)
    packed = copy.deepcopy(eager)
    assert serving_prepack.prepack_linears(packed) == 2
    assert not any(type(m) is torch.nn.Linear for m in packed.modules())
    for shape in ((1, 577, 48), (3, 10, 48), (5, 48)):  # the row hint, other batches and token counts, 2-D input
        x = torch.randn(shape).to(dtype)
        with torch.inference_mode():
            torch.testing.assert_close(
                packed(x),
                eager(x),
                rtol=1e-2 if dtype == torch.bfloat16 else 1e-5,
                atol=1e-2 if dtype == torch.bfloat16 else 1e-5,
            )


@pytest.mark.skipif(not _prepack_works(torch.float32), reason="this torch build has no oneDNN linear ops")
def test_vit_mlp_gelu_runs_inside_the_prepacked_gemm():
    from transformers import ViTConfig, ViTForImageClassification

    torch.manual_seed(0)
    config = ViTConfig(
        image_size=64,
        patch_size=16,
        hidden_size=96,
        num_hidden_layers=2,
        num_attention_heads=4,
        intermediate_size=192,
        num_labels=6,
    )
    eager = ViTForImageClassification(config).eval()
    packed = copy.deepcopy(eager)
    assert serving_prepack.prepack_linears(packed) == 2 * 6 + 1  # q, k, v, out, fc1, fc2 per layer + classifier
    blocks = [layer.intermediate for layer in packed.vit.encoder.layer]
    assert all(b.dense.activation == "gelu" and isinstance(b.intermediate_act_fn, torch.nn.Identity) for b in blocks)
    assert all(layer.attention.attention.query.activation == "none" for layer in packed.vit.encoder.layer)
    x = torch.randn(3, 3, 64, 64)
    with torch.inference_mode():
        torch.testing.assert_close(packed(pixel_values=x).logits, eager(pixel_values=x).logits, rtol=1e-5, atol=1e-5)


def test_prepacking_leaves_the_model_alone_when_the_ops_fail(monkeypatch):
    model = torch.nn.Sequential(torch.nn.Linear(4, 4))

    def reorder_fails(*_args):
        raise RuntimeError("unsupported")

    monkeypatch.setattr(serving_prepack, "PrepackedLinear", lambda *_args: reorder_fails())
    assert serving_prepack.prepack_linears(model) == 0
    assert type(model[0]) is torch.nn.Linear


# int8 is torch.ao.quantization.quantize_dynamic, what the serving container's torch (2.6) offers. torch 2.10 and
# later deprecate it in favour of torchao (not in the container), with a message that still says "will be removed in
# 2.10" under 2.13, and warn about the quantized tensors it creates. The path works (this test proves it), so those
# two warnings are expected here and nowhere else.
@pytest.mark.filterwarnings("ignore:torch.ao.quantization is deprecated:DeprecationWarning")
@pytest.mark.filterwarnings("ignore:torch.quantize_per_tensor, torch.quantize_per_channel:UserWarning")
@pytest.mark.usefixtures("amx_cpu")
def test_int8_is_opt_in_and_guarded(demo_model_dir):
    model = serving_model.load_model(demo_model_dir, ServingSettings(dtype="int8"))
    assert model.precision == "int8"
    assert model.guard is not None
    assert model.guard.ok
    assert any("Quantized" in type(m).__name__ or "quantized" in type(m).__module__ for m in model.model.modules())


def test_compile_falls_back_to_eager_when_it_fails(demo_model_dir, monkeypatch):
    def broken_compile(*_args, **_kwargs):
        raise RuntimeError("no C++ compiler")

    monkeypatch.setattr(torch, "compile", broken_compile)
    model = serving_model.load_model(demo_model_dir, ServingSettings(compile=True))
    assert model.compiled is None
    assert model.classify(model.preprocess([Image.new("RGB", (64, 64))]), 1)[0][0]["score"] > 0


def test_compile_serves_single_images_with_the_same_answers(demo_model_dir, loaded_model):
    model = serving_model.load_model(demo_model_dir, ServingSettings(compile=True, dtype=loaded_model.precision))
    assert model.compiled is not None
    pixels = loaded_model.preprocess(
        [Image.new("RGB", (80, 60), (20, 20, 220)), Image.new("RGB", (64, 64), (220, 20, 20))]
    )
    for one in pixels:
        compiled = model.logits(one[None])
        eager = loaded_model.logits(one[None])
        assert compare_logits(eager, compiled).ok
    assert len(model.classify(pixels, 2)) == 2  # a batch goes through the eager model
