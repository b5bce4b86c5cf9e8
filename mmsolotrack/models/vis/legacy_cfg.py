# Copyright (c) mmsolotrack contributors. All rights reserved.
"""Say how to update a config written for the embedding head inside the
detector (``detector.mask_head=dict(type='SOLOV2EmbedHead', embed_dims=...)``,
mmsolotrack before the track-head split)."""
from typing import Mapping

#: the embedding arguments the old heads took on top of SOLO's
LEGACY_EMBED_ARGS = ('embed_dims', 'embed_grid', 'embed_stacked_convs',
                     'max_samples_per_instance', 'embed_cells',
                     'loss_instance', 'loss_center', 'loss_entropy')
LEGACY_HEAD_TYPES = ('SOLOV2EmbedHead', 'SOLOEmbedHead')


def check_detector_cfg(detector: Mapping) -> None:
    """Raise when ``detector.mask_head`` is configured the old way.

    Raises:
        ValueError: naming the keys to move to ``model.track_head``.
    """
    head = detector.get('mask_head') if isinstance(detector, Mapping) else None
    if not isinstance(head, Mapping):
        return
    kind = str(head.get('type', '')).split('.')[-1]
    moved = [k for k in LEGACY_EMBED_ARGS if k in head]
    if kind in LEGACY_HEAD_TYPES or moved:
        raise ValueError(
            'the embedding head is no longer part of the detector: '
            f'detector.mask_head is {kind or "?"} with {moved}. Make '
            "detector.mask_head a stock mmdet head (e.g. 'mmdet.SOLOV2Head') "
            "and put the embedding arguments in model.track_head=dict(type="
            "'SOLOEmbedHead', in_channels=..., feat_channels=..., "
            'stacked_convs=..., scale_ranges=<the mask head\'s>, ...), see '
            'configs/_base_/models/solotrack_tiny.py. Checkpoints of that '
            'layout convert with tools/model_converters/'
            'solotrack_head_split.py')
