# Copyright (c) mmsolotrack contributors. All rights reserved.
"""tools/analysis_tools/retrack.py: the config's own tracker on the cached
predictions reproduces tools/test.py's metrics exactly; the cache loads with
weights_only and is reused; a grid gives one row per entry."""
import json
import os.path as osp
import re
import sys

import torch

from ..conftest import REPO, run_tool

CONFIG = osp.join(REPO, 'configs', 'solotrack',
                  'solotrack_solov2-r18-tiny_fpn_1xb4-2400i_synthvis.py')
RETRACK = osp.join(REPO, 'tools', 'analysis_tools', 'retrack.py')
TEST = osp.join(REPO, 'tools', 'test.py')


def _detecting_checkpoint(path):
    """Initial weights with the objectness prior raised: every frame has
    instances (random masks) for the tracker to link."""
    from mmengine.runner import save_checkpoint

    from mmsolotrack.apis import init_model
    torch.manual_seed(0)
    model = init_model(CONFIG)
    model.init_weights()
    with torch.no_grad():
        model.detector.mask_head.conv_cls.bias.fill_(2.0)
    save_checkpoint(model.state_dict(), path)


def test_retrack_reproduces_test_and_tunes(workdir):
    ckpt = str(workdir / 'detecting.pth')
    _detecting_checkpoint(ckpt)
    out = run_tool([sys.executable, TEST, CONFIG, ckpt, '--work-dir',
                    str(workdir / 'test')], cwd=workdir).stdout
    expected = {}
    for key, name in (('youtube_vis/segm_AP', 'AP'),
                      ('youtube_vis/segm_agnostic_AP', 'agnostic_AP'),
                      ('oracle_assoc/segm_AP', 'association_only_AP'),
                      ('track/idsw_per_100_frames', 'IDSW_per_100_frames')):
        found = re.findall(re.escape(key) + r': (-?[0-9.]+)', out)
        assert found, key
        expected[name] = float(found[-1])
    # untrained masks rarely hit the ground truth, but the ground-truth
    # masks are tracked with the model's embeddings
    assert expected['association_only_AP'] > 0

    cache = workdir / 'cache.pt'
    grid = json.dumps([{}, {'match_thr': 2.0}])
    args = [sys.executable, RETRACK, CONFIG, ckpt, '--cache', str(cache),
            '--grid', grid]
    first = run_tool(args, cwd=workdir).stdout
    rows = [json.loads(line) for line in first.splitlines()
            if line.startswith('{')]
    assert [r['tracker'] for r in rows] == [{}, {'match_thr': 2.0}]
    for name, value in expected.items():
        assert abs(rows[0][name] - value) < 1e-4, (name, rows[0], expected)
    # nothing can match at similarity >= 2: every frame starts new tracks,
    # so the association-only AP falls
    assert rows[1]['association_only_AP'] < rows[0]['association_only_AP']
    assert cache.is_file()
    torch.load(str(cache), weights_only=True)
    again = run_tool(args, cwd=workdir).stdout
    assert 'reusing the predictions' in again
    assert [json.loads(line) for line in again.splitlines()
            if line.startswith('{')] == rows
