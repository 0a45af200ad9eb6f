"""Linear layers with their weights reordered once, at load, into oneDNN's blocked layout (CPU, fp32 or bf16).

An eager nn.Linear hands its plain [out, in] weight to the GEMM library on every call, which then reorders it into
the layout its kernels read (the VNNI/AMX tile layout for bf16); for fp32 it goes to MKL, which on the AMD EPYC of
docs/model.md's benchmark run reached 40 % of the fp32 GEMM peak against 76 % for prepacked oneDNN. torch.compile's
weight freezing fixes this by prepacking the weights, but it needs a C++ compiler in the container and tens of
seconds per worker at start-up. These are the same two oneDNN ops Inductor's frozen graphs call
(mkldnn._reorder_linear_weight / mkldnn._linear_pointwise), used directly: no compiler, about a second at load, same
numbers (bf16 GEMMs bit-identical; fp32 within 1e-5 of eager). In ViT/DeiT MLP blocks the GELU after the first
Linear runs in the GEMM's epilogue (oneDNN post-op), as Inductor fuses it.

Anything unexpected (an op missing in the container's torch, an unsupported dtype) leaves the model as it was.
"""

from __future__ import annotations

import logging

import torch

logger = logging.getLogger(__name__)

# Rows the GEMMs see at batch 1 in ViT-B/16-384 (576 patches + [CLS]); only a hint for the blocked layout,
# any other row count (batches, other models) still computes correctly.
ROWS_HINT = 577


# Transformer MLP blocks whose forward is exactly `act(dense(x))` (transformers' ViT and DeiT), so the activation can
# run inside the GEMM's epilogue instead of as another pass over a 577 x 3072 tensor.
FUSABLE_MLP_BLOCKS = ("ViTIntermediate", "DeiTIntermediate")


class PrepackedLinear(torch.nn.Module):
    def __init__(self, linear: torch.nn.Linear, rows_hint: int = ROWS_HINT, activation: str = "none"):
        super().__init__()
        self.in_features, self.out_features = linear.in_features, linear.out_features
        self.activation = activation  # "none" or "gelu" (erf GELU, fused by oneDNN)
        self.packed_weight = torch.ops.mkldnn._reorder_linear_weight(linear.weight.detach(), rows_hint)
        self.bias = None if linear.bias is None else linear.bias.detach()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        algorithm = "none" if self.activation == "gelu" else ""
        out: torch.Tensor = torch.ops.mkldnn._linear_pointwise(
            x, self.packed_weight, self.bias, self.activation, [], algorithm
        )
        return out


def _is_erf_gelu(module: object) -> bool:
    if isinstance(module, torch.nn.GELU):
        return module.approximate == "none"
    # transformers' GELUActivation (hidden_act "gelu") wraps torch.nn.functional.gelu, the erf form
    return type(module).__name__ == "GELUActivation" and getattr(module, "act", None) is torch.nn.functional.gelu


def available() -> bool:
    return (
        hasattr(torch.ops.mkldnn, "_reorder_linear_weight")
        and hasattr(torch.ops.mkldnn, "_linear_pointwise")
        and torch.backends.mkldnn.is_available()
    )


def prepack_linears(model: torch.nn.Module) -> int:
    """Replaces every fp32/bf16 nn.Linear of a CPU model in place; returns how many were replaced (0: untouched)."""
    if not available():
        logger.warning("oneDNN linear prepacking is not available in torch %s; eager Linear layers", torch.__version__)
        return 0
    targets = [
        (parent, name, child)
        for parent in model.modules()
        for name, child in parent.named_children()
        if type(child) is torch.nn.Linear
        and child.weight.dtype in (torch.float32, torch.bfloat16)
        and child.weight.device.type == "cpu"
    ]
    fused = {
        id(parent)
        for parent, name, _ in targets
        if name == "dense"
        and type(parent).__name__ in FUSABLE_MLP_BLOCKS
        and _is_erf_gelu(getattr(parent, "intermediate_act_fn", None))
    }
    try:
        replacements = [
            (parent, name, PrepackedLinear(child, activation="gelu" if id(parent) in fused else "none"))
            for parent, name, child in targets
        ]
        with torch.inference_mode():  # one call each: fails here, at load, if the op rejects anything
            for _, _, packed in replacements:
                packed(torch.zeros(1, packed.in_features, dtype=packed.packed_weight.dtype))
    except (RuntimeError, TypeError) as error:
        logger.warning("oneDNN linear prepacking failed (%s); eager Linear layers", error)
        return 0
    for parent, name, packed in replacements:
        setattr(parent, name, packed)
        if packed.activation == "gelu":
            parent.intermediate_act_fn = torch.nn.Identity()  # now inside the GEMM
    return len(replacements)
