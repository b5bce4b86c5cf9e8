# Copyright (c) mmsolotrack contributors. All rights reserved.
"""A SynthVIS config trains and tests at one input size.

The quickstart recipe upsamples every frame 2x (``synthvis_vis_2x.py``):
its training pipelines (still images, and unlabelled clips where present)
and its test pipeline must resize to the same scale, or the model meets
objects of another size at test time, silently.
"""
import glob
import os.path as osp

import pytest
from mmengine.config import Config

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
SYNTHVIS_CONFIGS = sorted(
    osp.relpath(p, osp.join(REPO, 'configs'))
    for p in glob.glob(osp.join(REPO, 'configs', '*', '*synthvis*.py')))


def resize_scales(obj, found=None) -> set:
    """Every ``scale`` of a ``*Resize`` transform anywhere in ``obj``."""
    found = set() if found is None else found
    if isinstance(obj, dict):
        if str(obj.get('type', '')).endswith('Resize') and 'scale' in obj:
            found.add(tuple(obj['scale']))
        for value in obj.values():
            resize_scales(value, found)
    elif isinstance(obj, (list, tuple)):
        for value in obj:
            resize_scales(value, found)
    return found


def test_the_search_finds_every_resize():
    cfg = dict(a=[dict(type='mmdet.Resize', scale=(8, 4)),
                  dict(type='mmdet.TransformBroadcaster',
                       transforms=[dict(type='Resize', scale=(6, 2))])],
               b=dict(type='RandomFlip'))
    assert resize_scales(cfg) == {(8, 4), (6, 2)}


@pytest.mark.parametrize('name', SYNTHVIS_CONFIGS)
def test_train_and_test_resize_alike(name):
    cfg = Config.fromfile(osp.join(REPO, 'configs', name))
    train = resize_scales(cfg.train_dataloader.to_dict())
    test = resize_scales(cfg.test_dataloader.to_dict())
    assert len(train) == 1 and train == test, (name, train, test)


def test_the_quickstart_trains_at_twice_the_synthvis_size():
    from mmsolotrack.datasets.synthvis import SynthVISConfig
    cfg = Config.fromfile(
        osp.join(REPO, 'configs', 'solotrack',
                 'solotrack_solov2-r18-tiny_fpn_1xb4-2400i_synthvis.py'))
    data = SynthVISConfig()
    assert resize_scales(cfg.test_dataloader.to_dict()) == {
        (2 * data.width, 2 * data.height)}
    # SOLO's scale ranges follow the input: the smallest objects (2x) fall
    # in the first level, the largest in the second or third (the native
    # ranges put the smallest 2x object, 36 px, outside the first)
    ranges = cfg.model.detector.mask_head.scale_ranges
    lo, hi = 2 * data.min_object_size, 2 * data.max_object_size
    assert any(a <= lo <= b for a, b in ranges[:1]), ranges
    assert any(a <= hi <= b for a, b in ranges[1:3]), ranges
    # and the track head's embedding targets follow them
    assert cfg.model.track_head.scale_ranges == ranges
