# Copyright (c) mmsolotrack contributors. All rights reserved.
"""model-index.yml and the metafiles list exactly the shipped configs."""
import glob
import os.path as osp
import re

import pytest
import yaml
from mmengine.config import Config

import mmsolotrack  # noqa: F401  (the `mmsolotrack` scope, as users have it)

from ..conftest import REPO

# algorithms whose configs must all be listed
LISTED_FOLDERS = ('configs/posetrack', 'configs/solotrack', 'configs/solov2')
REQUIRED_METADATA = ('Training Data', 'Training Resources', 'Batch Size')


def _load_yaml(rel):
    with open(osp.join(REPO, rel)) as f:
        return yaml.safe_load(f)


def _metafiles():
    return _load_yaml('model-index.yml')['Import']


def _models():
    out = []
    for metafile in _metafiles():
        meta = _load_yaml(metafile)
        collections = {c['Name'] for c in meta['Collections']}
        for model in meta['Models']:
            out.append((metafile, collections, model))
    return out


MODELS = _models()


def test_model_index_imports_every_metafile():
    imports = _metafiles()
    for rel in imports:
        assert osp.isfile(osp.join(REPO, rel)), rel
    on_disk = sorted(
        osp.relpath(p, REPO)
        for p in glob.glob(osp.join(REPO, 'configs', '*', 'metafile.yml')))
    assert sorted(imports) == on_disk


def test_every_config_is_listed_once():
    listed = [model['Config'] for _, _, model in MODELS]
    assert len(listed) == len(set(listed)), 'a config is listed twice'
    for rel in listed:
        assert osp.isfile(osp.join(REPO, rel)), f'{rel} is listed but missing'
    shipped = sorted(
        osp.relpath(p, REPO) for folder in LISTED_FOLDERS
        for p in glob.glob(osp.join(REPO, folder, '*.py')))
    missing = sorted(set(shipped) - set(listed))
    assert not missing, f'configs not in any metafile: {missing}'


@pytest.mark.parametrize(
    'metafile,collections,model', MODELS, ids=[m['Name'] for *_, m in MODELS])
def test_entry_matches_its_config(metafile, collections, model):
    rel = model['Config']
    assert model['Name'] == osp.splitext(osp.basename(rel))[0]
    assert osp.dirname(rel) == osp.dirname(metafile)
    assert model['In Collection'] in collections
    meta = model['Metadata']
    for key in REQUIRED_METADATA:
        assert key in meta, f'{model["Name"]}: Metadata lacks {key}'

    cfg = Config.fromfile(osp.join(REPO, rel))
    train_cfg = cfg.train_cfg
    if train_cfg.type == 'EpochBasedTrainLoop':
        assert meta['Epochs'] == train_cfg.max_epochs
    else:
        assert meta['Iterations'] == train_cfg.max_iters
    gpus = int(re.search(r'_(\d+)xb\d+', rel).group(1))
    assert meta['Batch Size'] == gpus * cfg.train_dataloader.batch_size
    resources = meta['Training Resources']
    assert resources.startswith(f'{gpus}x '), resources

    for result in model.get('Results', []):
        assert result['Task'] == 'Video Instance Segmentation'
        assert set(result['Metrics']) <= {'AP', 'AP50', 'AP75', 'AR1', 'AR10'}


def test_only_the_published_config_has_results():
    with_results = {m['Name']: m['Results'] for _, _, m in MODELS
                    if 'Results' in m}
    assert list(with_results) == [
        'solotrack_solov2-r50_fpn_8xb2-12e_coco-ytvis19'
    ]
    (result, ) = with_results['solotrack_solov2-r50_fpn_8xb2-12e_coco-ytvis19']
    assert result['Dataset'] == 'YouTube-VIS 2019'
    assert result['Metrics'] == {'AP': 38.3}  # Fu et al., CVPR 2021
