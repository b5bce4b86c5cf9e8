# Copyright (c) mmsolotrack contributors. All rights reserved.
"""Every SOLOTrack config: the detector is a stock mmdet config and the
track head learns from the cells SOLO's own targets use.

The track head's ``scale_ranges`` and ``pos_scale`` are its own arguments
(it reads nothing from the detector), so a config that changes the mask
head's ranges (e.g. for a 2x input) must change the track head's too, or
the embedding targets silently drift from SOLO's category targets.
"""
import glob
import os.path as osp

import pytest
from mmengine.config import Config

from mmsolotrack.models.vis.legacy_cfg import check_detector_cfg

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))


def _solotrack_configs():
    paths = glob.glob(osp.join(REPO, 'configs', '**', '*.py'), recursive=True)
    out = []
    for path in sorted(paths):
        rel = osp.relpath(path, osp.join(REPO, 'configs'))
        if '_base_' in rel.split(osp.sep):
            continue
        if Config.fromfile(path).model.get('type') == 'SOLOTrack':
            out.append(rel)
    return out


SOLOTRACK_CONFIGS = _solotrack_configs()


def test_solotrack_configs_are_found():
    assert len(SOLOTRACK_CONFIGS) >= 10


@pytest.mark.parametrize('name', SOLOTRACK_CONFIGS)
def test_track_head_targets_follow_the_mask_head(name):
    model = Config.fromfile(osp.join(REPO, 'configs', name)).model
    check_detector_cfg(model.detector)  # a stock mmdet detector config
    assert model.track_head.type == 'SOLOEmbedHead', name
    head = model.detector.get('mask_head')
    if head is None or 'scale_ranges' not in head:
        pytest.skip('not a SOLO detector: the track head has its own ranges')
    as_tuples = [tuple(r) for r in head.scale_ranges]
    assert [tuple(r) for r in model.track_head.scale_ranges] == as_tuples
    assert model.track_head.get('pos_scale', 0.2) == head.get(
        'pos_scale', 0.2)
    assert model.track_head.in_channels == head.in_channels
