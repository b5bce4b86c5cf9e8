# Copyright (c) mmsolotrack contributors. All rights reserved.
"""Lower precision and channels-last layout for the network alone.

Only the forwards of the convolutional modules run under
``torch.autocast`` (bf16 on CPU: about 0.4x the fp32 time of the R50
forward on this machine's AVX512-BF16 cores); their floating outputs are
cast back to float32, so the post-processing (matrix NMS, mask
thresholds, scores, embedding pooling) and the tracker compute in float32
as they do without it.
"""
from contextlib import contextmanager
from typing import Iterator, List, Optional

import torch
from torch import nn

from .detector_heads import detector_heads

#: Names accepted for the autocast dtype.
AMP_DTYPES = {'bfloat16': torch.bfloat16, 'float16': torch.float16}


def network_modules(model: nn.Module) -> List[nn.Module]:
    """The modules of a SOLOTrack-like model whose forwards hold the
    convolutions: the detector's backbone, neck and heads, the track head
    and the crop classifier (those present)."""
    detector = model.detector
    modules = [detector.backbone, getattr(detector, 'neck', None)]
    modules += detector_heads(detector)
    modules += [getattr(model, 'track_head', None),
                getattr(model, 'cls_head', None)]
    return [m for m in modules if m is not None]


def _to_float32(out, dtype: torch.dtype):
    """``out`` (tensors in nested tuples / lists / dicts) with tensors of
    ``dtype`` cast to float32."""
    if isinstance(out, torch.Tensor):
        return out.float() if out.dtype == dtype else out
    if isinstance(out, (tuple, list)):
        return type(out)(_to_float32(o, dtype) for o in out)
    if isinstance(out, dict):
        return {k: _to_float32(v, dtype) for k, v in out.items()}
    return out


@contextmanager
def autocast_forwards(modules: List[nn.Module],
                      dtype: Optional[str],
                      device_type: str = 'cpu') -> Iterator[None]:
    """Within the block, each module's ``forward`` runs under
    ``torch.autocast(device_type, dtype)`` and returns float32 where it
    returned ``dtype``. ``dtype`` None leaves everything as it is.

    The forwards are wrapped on the instances (the classes are untouched)
    and put back on exit, also when another wrapper was there before.

    Args:
        modules (list[nn.Module]): e.g. :func:`network_modules`.
        dtype (str, optional): ``'bfloat16'`` or ``'float16'``.
        device_type (str): ``'cpu'`` or ``'cuda'``.
    """
    if dtype is None:
        yield
        return
    if dtype not in AMP_DTYPES:
        raise ValueError(f'amp dtype must be one of {sorted(AMP_DTYPES)} or '
                         f'None, got {dtype!r}')
    cast = AMP_DTYPES[dtype]
    saved = []
    for module in modules:
        saved.append((module, module.__dict__.get('forward')))
        forward = module.forward

        def wrapped(*args, _forward=forward, **kwargs):
            with torch.autocast(device_type, dtype=cast):
                out = _forward(*args, **kwargs)
            return _to_float32(out, cast)

        module.forward = wrapped
    try:
        yield
    finally:
        for module, previous in reversed(saved):
            if previous is None:
                del module.forward
            else:
                module.forward = previous
