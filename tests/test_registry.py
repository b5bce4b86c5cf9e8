# Copyright (c) mmsolotrack contributors. All rights reserved.
"""An unprefixed mmdet type is refused with the `mmdet.` spelling to use."""
import os.path as osp

import pytest
from mmengine.config import Config
from mmengine.registry import init_default_scope

from mmsolotrack.registry import MODELS
from mmsolotrack.utils import register_all_modules

from .conftest import REPO

SOLOV2 = osp.join(REPO, 'configs', 'solov2',
                  'solov2_r18-tiny_fpn_1xb4-24e_synthvis-frames.py')


@pytest.fixture(autouse=True)
def _scope():
    register_all_modules(init_default_scope=False)
    init_default_scope('mmsolotrack')


def test_unprefixed_mmdet_type_suggests_the_prefix():
    with pytest.raises(KeyError, match=r"type='mmdet\.ResNet'"):
        MODELS.build(dict(type='ResNet', depth=18))
    # also deep inside a config, where mmdet's detector builds its backbone
    cfg = Config.fromfile(SOLOV2)
    assert cfg.model.backbone.type == 'mmdet.ResNet'
    cfg.model.backbone.type = 'ResNet'
    with pytest.raises(KeyError, match=r"type='mmdet\.ResNet'"):
        MODELS.build(cfg.model)


def test_lookups_that_succeed_or_fail_plainly_are_unchanged():
    assert MODELS.get('mmdet.ResNet') is not None
    assert MODELS.get('SOLOTrack') is not None  # our own
    assert MODELS.get('NoSuchModule') is None  # no twin in mmdet
    with pytest.raises(KeyError, match='NoSuchModule is not in the') as err:
        MODELS.build(dict(type='NoSuchModule'))
    assert 'mmdet.' not in str(err.value)
