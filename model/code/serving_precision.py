"""Is a reduced-precision model (bf16, fp16, int8) still the same classifier? Decided on logits, not on top-1.

The old guard compared top-1 labels on probe images. Probes are not photos, so even a good classifier is
unsure on them: its top two logits nearly tie, rounding flips the order, and the guard refused bf16 for models
that are fine (every randomly initialised ViT-B/16-384, very likely google/vit-base-patch16-384 too).

This guard compares what actually changes, the logits, on a scale that does not depend on the model:
for each probe, the largest logit change divided by the spread of that probe's fp32 logits (max - min).
A model whose numbers survive the format moves its logits by a few percent of their spread at most; one that
breaks (overflow, or large activations whose small differences carry the answer and vanish in bf16's 8-bit
mantissa) moves them by as much as the spread itself. Top-1 must also agree, but only on probes where fp32 is
confident (top-1 ahead of top-2 by a clear share of the spread): there a flip is a real change, not a near-tie.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

# Largest logit change accepted, as a share of the probe's fp32 logit spread. Measured (docs/model.md):
# bf16 moves ViT-B/16-384 logits by ~1-2 % of the spread and the demo model's by <1 %; int8 dynamic quantisation
# ~2-5 %; a model made to break in bf16 by 50-100 %.
TOLERANCE = 0.1
# A probe counts as confident when fp32's top-1 leads top-2 by at least this share of the spread: twice the
# tolerance, so a flip there cannot come from changes the tolerance accepts.
CONFIDENT_MARGIN = 2 * TOLERANCE


@dataclass(frozen=True)
class GuardResult:
    ok: bool
    max_relative_error: float  # max over probes of max |logit change| / fp32 logit spread (inf if non-finite)
    confident_probes: int
    top1_flips: int  # among the confident probes

    def describe(self) -> str:
        verdict = "kept" if self.ok else "refused"
        return (
            f"{verdict}: logit change up to {self.max_relative_error:.3f} of the spread (tolerance {TOLERANCE}), "
            f"top-1 flips {self.top1_flips} of {self.confident_probes} confident probes"
        )


def compare_logits(reference: torch.Tensor, candidate: torch.Tensor) -> GuardResult:
    """reference: fp32 logits [probes, labels]; candidate: the reduced model's logits on the same probes."""
    reference, candidate = reference.float(), candidate.float()
    if not torch.isfinite(candidate).all():  # fp16 overflow, NaN from a broken kernel
        return GuardResult(False, float("inf"), 0, 0)
    spread = (reference.max(dim=-1).values - reference.min(dim=-1).values).clamp_min(1e-12)
    relative = (candidate - reference).abs().max(dim=-1).values / spread
    confident = torch.ones(len(reference), dtype=torch.bool)
    if reference.shape[-1] > 1:
        top2 = reference.topk(2, dim=-1).values
        confident = (top2[:, 0] - top2[:, 1]) / spread >= CONFIDENT_MARGIN
    flips = int((reference.argmax(-1) != candidate.argmax(-1))[confident].sum())
    worst = float(relative.max())
    return GuardResult(worst <= TOLERANCE and flips == 0, worst, int(confident.sum()), flips)
