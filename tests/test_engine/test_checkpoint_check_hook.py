# Copyright (c) mmsolotrack contributors. All rights reserved.
"""Another model's checkpoint is refused (Runner load_from / test and
init_model) unless a partial load is asked for; a checkpoint with NaN
weights loads with a warning; resuming a finished run says so."""
import logging
import os.path as osp

import pytest
import torch
from mmengine.config import Config
from mmengine.logging import MMLogger
from mmengine.registry import init_default_scope
from mmengine.runner import Runner

import mmsolotrack  # noqa: F401
from mmsolotrack.apis import init_model
from mmsolotrack.utils import CheckpointMismatchError

from ..conftest import REPO, iter_based

SOLOTRACK = osp.join(
    REPO,
    'configs/solotrack/solotrack_solov2-r18-tiny_fpn_1xb4-24e_synthvis.py')
MASKTRACK = osp.join(
    REPO, 'configs/masktrack_rcnn/'
    'masktrack-rcnn_r18-tiny_fpn_1xb4-24e_synthvis.py')
SOLOV2 = osp.join(REPO, 'configs', 'solov2',
                  'solov2_r18-tiny_fpn_1xb4-24e_synthvis-frames.py')


class _Records(logging.Handler):

    def __init__(self):
        super().__init__(logging.WARNING)
        self.messages = []

    def emit(self, record):
        self.messages.append(record.getMessage())


@pytest.fixture(scope='module')
def masktrack_ckpt(tmp_path_factory):
    """A MaskTrack R-CNN checkpoint (the issue's example of another model)."""
    from mmdet.registry import MODELS
    init_default_scope('mmdet')
    model = MODELS.build(Config.fromfile(MASKTRACK).model)
    path = str(tmp_path_factory.mktemp('ckpt') / 'masktrack.pth')
    torch.save({'state_dict': model.state_dict(), 'meta': {}}, path)
    init_default_scope('mmsolotrack')
    return path


@pytest.fixture(scope='module')
def solotrack_model():
    torch.manual_seed(0)
    return init_model(SOLOTRACK)


def _test_runner(synthvis_root, work_dir, load_from, **check):
    cfg = Config.fromfile(SOLOTRACK)
    cfg.test_dataloader.dataset.data_root = synthvis_root + '/'
    cfg.work_dir = str(work_dir)
    cfg.load_from = load_from
    cfg.default_hooks.checkpoint_check.update(check)
    return Runner.from_cfg(cfg)


def test_runner_refuses_another_models_checkpoint(synthvis_root, tmp_path,
                                                  masktrack_ckpt):
    runner = _test_runner(synthvis_root, tmp_path, masktrack_ckpt)
    # what `tools/test.py` / `mim test` run: refused before any video
    with pytest.raises(CheckpointMismatchError) as err:
        runner.test()
    msg = str(err.value)
    assert masktrack_ckpt in msg and 'SOLOTrack' in msg
    assert 'another model' in msg and 'allow_partial' in msg
    # the option accepts the partial load on purpose
    runner = _test_runner(synthvis_root, tmp_path, masktrack_ckpt,
                          allow_partial=True)
    runner.load_checkpoint(masktrack_ckpt)


def test_small_mismatch_loads(synthvis_root, tmp_path, solotrack_model):
    # the model's own checkpoint less a few keys (< 10 %) still loads
    state = solotrack_model.state_dict()
    for key in list(state)[:3]:
        state.pop(key)
    path = str(tmp_path / 'almost.pth')
    torch.save({'state_dict': state}, path)
    runner = _test_runner(synthvis_root, tmp_path, path)
    runner.load_checkpoint(path)
    init_model(SOLOTRACK, path)
    # ... and dropping a fifth of its keys does not
    state = solotrack_model.state_dict()
    for key in list(state)[:len(state) // 5]:
        state.pop(key)
    torch.save({'state_dict': state}, path)
    with pytest.raises(CheckpointMismatchError, match='almost.pth'):
        runner.load_checkpoint(path)


def test_init_model_refuses_another_models_checkpoint(masktrack_ckpt):
    with pytest.raises(CheckpointMismatchError) as err:
        init_model(SOLOTRACK, masktrack_ckpt)
    assert masktrack_ckpt in str(err.value)
    init_model(SOLOTRACK, masktrack_ckpt, allow_partial=True)
    # the config's hook setting is honoured, e.g. from the demo's
    # --cfg-options default_hooks.checkpoint_check.allow_partial=True
    init_model(SOLOTRACK, masktrack_ckpt,
               cfg_options={'default_hooks.checkpoint_check.allow_partial':
                            True})


def test_init_model_warns_about_non_finite_weights(tmp_path,
                                                   solotrack_model):
    state = solotrack_model.state_dict()
    name = next(k for k, v in state.items() if v.is_floating_point())
    state[name] = torch.full_like(state[name], float('nan'))
    path = str(tmp_path / 'nan.pth')
    torch.save({'state_dict': state}, path)
    records = _Records()
    logger = MMLogger.get_current_instance()
    logger.addHandler(records)
    try:
        init_model(SOLOTRACK, path)
        clean = str(tmp_path / 'clean.pth')
        torch.save({'state_dict': solotrack_model.state_dict()}, clean)
        before = len(records.messages)
        init_model(SOLOTRACK, clean)
    finally:
        logger.removeHandler(records)
    warned = [m for m in records.messages[:before] if 'NaN or infinite' in m]
    assert len(warned) == 1 and path in warned[0] and name in warned[0]
    assert not any('NaN' in m for m in records.messages[before:])


@pytest.mark.parametrize('by_epoch', [False, True])
def test_resume_of_a_finished_run_warns(synthvis_root, tmp_path, by_epoch):

    def cfg():
        c = Config.fromfile(SOLOV2)
        c.train_dataloader.dataset.data_root = synthvis_root + '/'
        if not by_epoch:
            return iter_based(c, tmp_path, max_iters=1, name='finished')
        c.work_dir = str(tmp_path)
        c.train_cfg.max_epochs = 1
        c.train_dataloader.dataset.frame_interval = 12  # 1-2 iterations
        c.val_cfg = c.val_dataloader = c.val_evaluator = None
        return c

    Runner.from_cfg(cfg()).train()
    again = cfg()
    again.resume = True
    runner = Runner.from_cfg(again)
    records = _Records()
    runner.logger.addHandler(records)
    runner.train()
    warned = [m for m in records.messages if 'nothing left to train' in m]
    assert len(warned) == 1
    what = 'epoch_1.pth' if by_epoch else 'iter_1.pth'
    assert ('max_epochs=1' if by_epoch else 'max_iters=1') in warned[0]
    assert osp.join(str(tmp_path), what) in warned[0]
