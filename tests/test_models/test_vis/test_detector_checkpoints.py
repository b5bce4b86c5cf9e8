# Copyright (c) mmsolotrack contributors. All rights reserved.
"""A stock mmdet detector's checkpoint loads into ``SOLOTrack.detector`` as
it is (``detector.init_cfg=dict(type='Pretrained', ...)``): no key missing,
none unexpected, every weight equal."""
import copy
import os.path as osp

import pytest
import torch
from mmdet.registry import MODELS as MMDET_MODELS
from mmengine.config import Config, ConfigDict
from mmengine.registry import DefaultScope, init_default_scope
from mmengine.runner import load_checkpoint

from mmsolotrack.registry import MODELS
from .detectors import DETECTORS, solotrack_cfg

REPO = osp.dirname(osp.dirname(osp.dirname(osp.dirname(
    osp.abspath(__file__)))))


def save_stock(detector_cfg, path, seed=1):
    """Build ``detector_cfg`` as plain mmdet would, save what mmdet's
    model zoo holds (``meta`` + ``state_dict``); return the state dict."""
    torch.manual_seed(seed)
    with DefaultScope.overwrite_default_scope('mmdet'):
        det = MMDET_MODELS.build(copy.deepcopy(detector_cfg))
    det.init_weights()
    state = det.state_dict()
    torch.save(dict(meta=dict(mmdet_version='3.3.0'), state_dict=state), path)
    return state


def assert_loaded(model, state, path):
    own = model.detector.state_dict()
    assert set(own) == set(state)  # no key missing, none unexpected
    for key, value in state.items():
        assert torch.equal(own[key], value), key
    # strict: mmengine raises on any missing or unexpected key
    load_checkpoint(model.detector, path, strict=True)


@pytest.mark.parametrize('name', ['SOLOv2', 'RTMDet-Ins'])
def test_stock_checkpoint_loads_into_the_detector(name, tmp_path):
    path = str(tmp_path / 'stock.pth')
    state = save_stock(DETECTORS[name](), path)
    cfg = ConfigDict(solotrack_cfg(DETECTORS[name]()))
    cfg.detector.init_cfg = dict(type='Pretrained', checkpoint=path)
    init_default_scope('mmsolotrack')
    torch.manual_seed(2)
    model = MODELS.build(cfg)
    before = {k: v.clone() for k, v in model.track_head.state_dict().items()}
    model.init_weights()
    assert_loaded(model, state, path)
    # the track head keeps its own initialisation
    after = model.track_head.state_dict()
    assert any(not torch.equal(before[k], after[k]) for k in before)


@pytest.mark.slow
def test_mmdet_solov2_r50_config_checkpoint_loads_into_the_r50_config(
        tmp_path):
    """mmdet's own solov2_r50_fpn_1x_coco.py (40 classes) -> the R50
    SOLOTrack config's detector, unchanged."""
    import mmdet
    stock = Config.fromfile(
        osp.join(osp.dirname(mmdet.__file__), '.mim', 'configs', 'solov2',
                 'solov2_r50_fpn_1x_coco.py')).model
    stock.backbone.init_cfg = None
    stock.mask_head.num_classes = 40
    path = str(tmp_path / 'solov2_r50.pth')
    state = save_stock(stock, path)
    cfg = Config.fromfile(
        osp.join(REPO, 'configs', 'solotrack',
                 'solotrack_solov2-r50_fpn_8xb2-12e_coco-ytvis19.py')).model
    cfg.detector.backbone.init_cfg = None
    cfg.detector.init_cfg = dict(type='Pretrained', checkpoint=path)
    init_default_scope('mmsolotrack')
    model = MODELS.build(cfg)
    model.init_weights()
    assert_loaded(model, state, path)
