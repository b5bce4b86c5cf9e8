# Copyright (c) mmsolotrack contributors. All rights reserved.
"""Each YouTube-VIS 2021 data config inherits its 2019 sibling and resolves
to it with the version changed: nothing else differs."""
import os.path as osp

import pytest
from mmengine.config import Config

from ..conftest import REPO

DATASETS = osp.join(REPO, 'configs', '_base_', 'datasets')
SIBLINGS = ('youtube_vis', 'ytvis_frames', 'coco_ytvis', 'ytvis_image_mix',
            'ytvis_video_ssl')


def _to_2021(value):
    """``value`` with every '2019' in its strings replaced by '2021'."""
    if isinstance(value, dict):
        return {k: _to_2021(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(_to_2021(v) for v in value)
    if isinstance(value, str):
        return value.replace('2019', '2021')
    return value


@pytest.mark.parametrize('name', SIBLINGS)
def test_2021_config_is_its_2019_sibling_with_the_version_changed(name):
    path_2021 = osp.join(DATASETS, f'{name}_2021.py')
    cfg_2019 = Config.fromfile(osp.join(DATASETS, f'{name}_2019.py'))
    cfg_2021 = Config.fromfile(path_2021)
    assert cfg_2021.to_dict() == _to_2021(cfg_2019.to_dict())
    # inherits the sibling, so a fix there reaches both versions
    with open(path_2021) as f:
        assert f"_base_ = './{name}_2019.py'" in f.read()
