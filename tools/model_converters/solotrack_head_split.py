# Copyright (c) mmsolotrack contributors. All rights reserved.
"""Convert a SOLOTrack checkpoint of the old head layout to the new one.

Before the track-head split the embedding branch lived inside the detector's
mask head (``detector.mask_head.embed_branch.*``, ``SOLOV2EmbedHead``); now
it is the model's own ``track_head`` beside a stock mmdet detector
(``track_head.embed_branch.*``). Every other weight keeps its key::

    python tools/model_converters/solotrack_head_split.py OLD.pth NEW.pth

Only state-dict keys change. The parameters keep their order (the branch was
the mask head's last module, the detector's last head; the track head comes
right after the detector), so the optimizer's per-index states stay valid:
a converted Runner checkpoint still resumes (``--resume``), and serves
``load_from``, ``tools/test.py`` and ``init_model``.
"""
import argparse
import os.path as osp
import sys
from collections import OrderedDict
from typing import Mapping, Tuple

import torch

try:
    from mmsolotrack.utils.checkpoint_checks import LEGACY_EMBED_PREFIX
except ImportError:  # pragma: no cover - run from a checkout without install
    sys.path.insert(0, osp.dirname(osp.dirname(osp.dirname(
        osp.abspath(__file__)))))
    from mmsolotrack.utils.checkpoint_checks import LEGACY_EMBED_PREFIX

NEW_EMBED_PREFIX = 'track_head.embed_branch.'


def convert_state_dict(state: Mapping) -> Tuple[OrderedDict, int]:
    """Rename the embedding branch's keys (with or without ``module.``).

    Returns:
        tuple: the new state dict and the number of renamed keys.
    """
    out, renamed = OrderedDict(), 0
    for key, value in state.items():
        wrapped = key.startswith('module.')
        bare = key[len('module.'):] if wrapped else key
        if bare.startswith(LEGACY_EMBED_PREFIX):
            bare = NEW_EMBED_PREFIX + bare[len(LEGACY_EMBED_PREFIX):]
            renamed += 1
        out[('module.' if wrapped else '') + bare] = value
    metadata = getattr(state, '_metadata', None)
    if metadata is not None:
        out._metadata = OrderedDict(
            (k.replace(LEGACY_EMBED_PREFIX.rstrip('.'),
                       NEW_EMBED_PREFIX.rstrip('.')), v)
            for k, v in metadata.items())
    return out, renamed


def convert_checkpoint(checkpoint: Mapping) -> Tuple[dict, int]:
    """The checkpoint with its ``state_dict`` converted (every other entry,
    optimizer and scheduler states included, as it was; ``meta`` notes the
    conversion) and the number of renamed keys; a bare state dict gives a
    bare state dict."""
    if 'state_dict' not in checkpoint:
        return convert_state_dict(checkpoint)
    state, renamed = convert_state_dict(checkpoint['state_dict'])
    out = dict(checkpoint, state_dict=state)
    out['meta'] = dict(checkpoint.get('meta') or {})
    out['meta']['converted_by'] = \
        'tools/model_converters/solotrack_head_split.py'
    return out, renamed


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description='Move the embedding branch of an old SOLOTrack '
        'checkpoint from detector.mask_head to track_head')
    parser.add_argument('src', help='checkpoint of the old layout')
    parser.add_argument('dst', help='where to write the converted one')
    return parser.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    from mmsolotrack.utils.checkpoint import load_checkpoint_file
    checkpoint = load_checkpoint_file(args.src, map_location='cpu')
    converted, renamed = convert_checkpoint(checkpoint)
    if renamed == 0:
        print(f'{args.src} has no {LEGACY_EMBED_PREFIX}* keys: it is not a '
              'checkpoint of the old layout; nothing written',
              file=sys.stderr)
        return 1
    torch.save(converted, args.dst)
    print(f'{args.dst}: {renamed} keys moved from {LEGACY_EMBED_PREFIX}* to '
          f'{NEW_EMBED_PREFIX}*')
    return 0


if __name__ == '__main__':
    raise SystemExit(main())
