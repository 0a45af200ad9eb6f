"""Which of a Hub model's files inference needs, and the refusals decided from the file list alone.

Only config.json, preprocessor_config.json and the safetensors weights (one model.safetensors, or the index and the
shards it names) are downloaded: never the TensorFlow / Flax / ONNX / msgpack copies, the README, or
pytorch_model.bin. A revision whose only PyTorch weights are pytorch_model.bin is refused: it is a pickle, and
unpickling can run code, while safetensors is plain tensors (and loads faster). The Hub has converted most popular
models to safetensors (the "Adding `safetensors` variant of this model" commits), so the fix is usually a newer
revision, which the refusal names when there is one.
"""

from __future__ import annotations

from hub.errors import HubError
from hub.listing import Listing
from hub.names import short
from model_folder import CONFIG, PICKLE_INDEX, PREPROCESSOR, SAFETENSORS_INDEX, WEIGHTS

SAFETENSORS, PICKLE = WEIGHTS


class PickleOnlyError(HubError):
    """The revision has PyTorch weights only as pytorch_model.bin; the message is completed by the caller."""


def describe(listing: Listing) -> str:
    return f"{listing.repo_id}@{short(listing.sha)}"


def metadata_files(listing: Listing) -> list[str]:
    """config.json and preprocessor_config.json, which must both exist; refused otherwise."""
    if CONFIG not in listing.files:
        raise HubError(f"{describe(listing)} has no {CONFIG}: it is not a transformers model")
    if PREPROCESSOR not in listing.files:
        raise HubError(
            f"{describe(listing)} has no {PREPROCESSOR} (the image size and normalisation the endpoint applies): "
            "pick a revision or model that has one"
        )
    return [CONFIG, PREPROCESSOR]


def has_safetensors(listing: Listing) -> bool:
    return SAFETENSORS in listing.files or SAFETENSORS_INDEX in listing.files


def weights_entry(listing: Listing) -> str:
    """model.safetensors, else model.safetensors.index.json (its shards are read from it once downloaded)."""
    if SAFETENSORS in listing.files:
        return SAFETENSORS
    if SAFETENSORS_INDEX in listing.files:
        return SAFETENSORS_INDEX
    pickles = [name for name in (PICKLE, PICKLE_INDEX) if name in listing.files]
    if pickles:
        raise PickleOnlyError(
            f"{describe(listing)} has no safetensors weights, only {pickles[0]} (a pickle: loading one can run code, "
            "so this command does not download it)"
        )
    others = sorted(name for name in listing.files if name.endswith((".h5", ".msgpack", ".onnx")))
    found = f" (only {', '.join(others)})" if others else ""
    raise HubError(f"{describe(listing)} has no PyTorch weights{found}: pick a model with model.safetensors")


def missing_shards(listing: Listing, shards: list[str]) -> list[str]:
    return [name for name in shards if name not in listing.files]
