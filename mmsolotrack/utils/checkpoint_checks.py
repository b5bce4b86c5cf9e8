# Copyright (c) mmsolotrack contributors. All rights reserved.
"""What a checkpoint must satisfy beyond unpickling: it fits the model, and
its weights are finite.

mmengine loads any checkpoint with ``strict=False`` and only logs the
missing and unexpected keys, so a checkpoint of another model (say a
MaskTrack R-CNN one given to a SOLOTrack config) "loads" into random
weights and evaluates to AP 0. :func:`check_checkpoint_keys` refuses that
when more than a small fraction of the keys do not fit, and refuses a
checkpoint of SOLOTrack's old head layout (the embedding branch inside
``detector.mask_head``: its few keys would go missing under the limit and
the tracker would run on random embeddings), naming the converter.
"""
import re
from collections import OrderedDict
from typing import Any, List, Mapping, Optional, Sequence, Tuple

import torch
from torch import nn

__all__ = [
    'CheckpointMismatchError', 'DEFAULT_MAX_MISMATCH', 'LEGACY_EMBED_PREFIX',
    'LegacyCheckpointError', 'check_checkpoint_keys', 'non_finite_tensors'
]

#: Largest fraction of the model's keys that may be missing from (or be
#: unexpected in) a checkpoint before it is refused as another model's.
DEFAULT_MAX_MISMATCH = 0.1

#: mmengine's default: checkpoints saved from a DDP-wrapped model.
DEFAULT_REVISE_KEYS = ((r'^module\.', ''), )


#: Where SOLOTrack checkpoints of the old layout keep the embedding branch.
LEGACY_EMBED_PREFIX = 'detector.mask_head.embed_branch.'
CONVERTER = 'tools/model_converters/solotrack_head_split.py'


class CheckpointMismatchError(RuntimeError):
    """A checkpoint fills too little of the model to be its checkpoint."""


class LegacyCheckpointError(CheckpointMismatchError):
    """A checkpoint of SOLOTrack's old head layout, to be converted."""


def _state_dict_of(checkpoint: Any, revise_keys: Sequence[Tuple[str, str]],
                   filename: Optional[str]) -> OrderedDict:
    """The checkpoint's state dict with its keys revised, as mmengine's
    ``_load_checkpoint_to_model`` reads it (``_metadata`` kept)."""
    state = checkpoint
    if isinstance(checkpoint, Mapping) and 'state_dict' in checkpoint:
        state = checkpoint['state_dict']
    if not isinstance(state, Mapping):
        raise TypeError(f'checkpoint {filename} holds a '
                        f'{type(state).__name__}, not a dict of weights (or '
                        'one with a `state_dict`)')
    metadata = getattr(state, '_metadata', OrderedDict())
    revised = OrderedDict()
    for key, value in state.items():
        for pattern, repl in revise_keys:
            key = re.sub(pattern, repl, key)
        revised[key] = value
    revised._metadata = metadata
    return revised


def check_checkpoint_keys(
        model: nn.Module,
        checkpoint: Any,
        filename: Optional[str] = None,
        max_mismatch: float = DEFAULT_MAX_MISMATCH,
        revise_keys: Sequence[Tuple[str, str]] = DEFAULT_REVISE_KEYS
) -> OrderedDict:
    """Refuse a checkpoint whose keys do not fit ``model``.

    With K the number of the model's state-dict keys: *missing* keys are the
    model's keys the checkpoint does not fill (absent, or with another
    shape); *unexpected* keys are the checkpoint's keys the model lacks.
    Either count above ``max_mismatch * K`` raises.

    Args:
        model (nn.Module): The model the checkpoint is for (unwrapped).
        checkpoint (dict): A loaded checkpoint, or a bare state dict.
        filename (str, optional): Its file, for the message.
        max_mismatch (float): Largest fraction of K that may be missing or
            unexpected (``float('inf')``: any). Defaults to
            :data:`DEFAULT_MAX_MISMATCH` (0.1).
        revise_keys (sequence[tuple[str, str]]): (pattern, replacement) pairs
            applied to the checkpoint's keys first, as for mmengine's
            ``load_checkpoint``. Defaults to stripping ``module.``.

    Returns:
        OrderedDict: The checkpoint's state dict with revised keys.

    Raises:
        LegacyCheckpointError: The checkpoint has the embedding branch in
            ``detector.mask_head`` and the model does not.
        CheckpointMismatchError: Too many keys are missing or unexpected.
    """
    state = _state_dict_of(checkpoint, revise_keys, filename)
    own = model.state_dict()
    if any(k.startswith(LEGACY_EMBED_PREFIX) for k in state) and not any(
            k.startswith(LEGACY_EMBED_PREFIX) for k in own):
        name = filename or 'CHECKPOINT'
        raise LegacyCheckpointError(
            f'checkpoint {name} was saved with the embedding branch inside '
            f'the detector ({LEGACY_EMBED_PREFIX}*); the model now has it '
            'as its own track_head beside a stock mmdet detector. Convert '
            f'the checkpoint once: python {CONVERTER} {name} '
            'CONVERTED.pth, then load CONVERTED.pth')
    missing = [
        k for k, v in own.items()
        if k not in state or getattr(state[k], 'shape', None) != v.shape
    ]
    unexpected = [k for k in state if k not in own]
    limit = max_mismatch * len(own)
    if len(missing) > limit or len(unexpected) > limit:
        name = f'checkpoint {filename}' if filename else 'the checkpoint'
        raise CheckpointMismatchError(
            f'{name} does not fit the model {type(model).__name__}: '
            f'{len(missing)} of the model\'s {len(own)} keys are missing '
            f'from it or have another shape (e.g. {missing[:3]}) and '
            f'{len(unexpected)} of its keys are unexpected (e.g. '
            f'{unexpected[:3]}); more than {max_mismatch:.0%} of the '
            'model\'s keys. Is it a checkpoint of another model? To load it '
            'partially on purpose, set `default_hooks.checkpoint_check.'
            'allow_partial=True` (e.g. with --cfg-options), or pass '
            '`allow_partial=True` to init_model.')
    return state


def non_finite_tensors(tensors: Mapping[str, Any]) -> List[str]:
    """Names of the floating-point tensors holding a NaN or an infinity.

    Args:
        tensors (Mapping[str, Any]): E.g. a state dict; entries that are not
            floating-point tensors are ignored.

    Returns:
        list[str]: The names, in the mapping's order.
    """
    items = [(k, v) for k, v in tensors.items()
             if torch.is_tensor(v) and v.is_floating_point()]
    if not items:
        return []
    device = items[0][1].device
    # one host sync on the usual path: every tensor finite
    flags = torch.stack(
        [torch.isfinite(v).all().to(device) for _, v in items])
    if bool(flags.all()):
        return []
    return [k for (k, _), ok in zip(items, flags.tolist()) if not ok]
