# Copyright (c) mmsolotrack contributors. All rights reserved.
"""Mixed image + unlabelled-clip training through `mim train`, as a user
runs it: SynthVIS frames as images with SynthVIS `unlabeled` frame folders,
and with video files the test writes."""
import glob
import json
import math
import os.path as osp

import pytest

from mmsolotrack.testing.videos import write_video
from ..conftest import REPO, have_mim, run_tool

pytestmark = pytest.mark.skipif(not have_mim(), reason='openmim not installed')

SSL = ('configs/solotrack/'
       'solotrack_solov2-r18-tiny_fpn_1xb6-720i_video-ssl_synthvis.py')
IMAGE_LOSSES = ('loss_cls', 'loss_mask', 'loss_embed_instance',
                'loss_embed_center', 'loss_embed_entropy')
SHORT = [
    'train_cfg.max_iters=3', 'train_cfg.val_interval=1000', 'val_cfg=None',
    'val_dataloader=None', 'val_evaluator=None',
    'default_hooks.logger.interval=1', 'custom_hooks.0.interval=1',
    'randomness.seed=0',
    # 2 images + 1 clip per batch: small, still mixed
    'train_dataloader.batch_size=3', 'train_dataloader.sampler.batch_size=3',
    # an untrained model scores ~0.01 (focal prior): lower the thresholds so
    # pseudo-instances exist and the cycle loss is really computed
    'model.detector.test_cfg.score_thr=0.005',
    'model.detector.test_cfg.filter_thr=0.005',
    'model.pseudo_cfg.min_score=0.005',
]


def _train(workdir, work, *options):
    return run_tool([
        'mim', 'train', 'mmsolotrack',
        osp.join(REPO, SSL), '--work-dir',
        str(work), '--cfg-options', *SHORT, *options
    ], cwd=workdir)


def _train_rows(work):
    files = glob.glob(osp.join(str(work), '*', 'vis_data', 'scalars.json'))
    assert files, f'no scalars.json under {work}'
    with open(sorted(files)[-1]) as f:
        rows = [json.loads(line) for line in f if line.strip()]
    return [r for r in rows if 'loss' in r]


def _check_losses(rows):
    assert [r['iter'] for r in rows] == [1, 2, 3]
    for row in rows:
        for key in ('loss', 'loss_cycle') + IMAGE_LOSSES:
            assert key in row, (key, row)
            assert math.isfinite(row[key]), (key, row)
    # pseudo-instances were found and linked: the loss is not the empty 0
    assert any(r['loss_cycle'] > 0 for r in rows), rows


def test_mim_train_mixed_synthvis(workdir):
    work = workdir / 'work_dirs' / 'ssl'
    proc = _train(workdir, work)
    _check_losses(_train_rows(work))
    assert 'VideoReadReportHook (iteration 3): 0 unlabelled clip(s)' \
        in proc.stdout
    assert (work / 'iter_3.pth').is_file()


def test_mim_train_video_files_with_synthvis_images(workdir):
    videos = workdir / 'videos'
    videos.mkdir()
    write_video(videos / 'clip.avi', 30, 'MJPG', size=(256, 160))
    write_video(videos / 'clip.mp4', 30, 'mp4v', size=(320, 180))
    (videos / 'broken.mp4').write_bytes(b'not a video' * 100)
    work = workdir / 'work_dirs' / 'ssl_videos'
    proc = _train(
        workdir, work,
        f'train_dataloader.dataset.datasets.1.data_prefix.img_path={videos}',
        'train_dataloader.dataset.datasets.1.max_gap=10')
    _check_losses(_train_rows(work))
    # the unreadable file is left out, and the report names it
    report = [line for line in proc.stdout.splitlines()
              if 'VideoReadReportHook (iteration 1)' in line
              and 'unlabelled clip(s)' in line]
    assert report and 'broken.mp4' in report[0] and '1 in total' in report[0]
