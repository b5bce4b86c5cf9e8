# Copyright (c) mmsolotrack contributors. All rights reserved.
"""Smoke test of the side-by-side SynthVIS benchmark (`--quick`).

Only the plumbing is checked: every method trains, is evaluated and timed,
(b) starts from (a)'s half-way checkpoint, the R50 models are timed (on the
CPU here, the path a CUDA run takes), and the report and plots are written.
No number is asserted.
"""
import json
import os.path as osp
import sys

from ..conftest import REPO, load_tool, run_tool


def test_benchmark_quick_writes_full_report(tmp_path):
    work = tmp_path / 'bench'
    proc = run_tool([
        sys.executable,
        osp.join(REPO, 'tools', 'analysis_tools', 'benchmark_synthvis.py'),
        '--quick', '--work-dir',
        str(work), '--tracker-sizes', '10', '50', '--r50-device', 'cpu',
        '--r50-frames', '1'
    ],
                    cwd=tmp_path,
                    timeout=1200)
    with open(work / 'results.json') as f:
        report = json.load(f)
    assert set(report['results']) == {'a', 'b', 'c', 'd'}
    for row in report['results'].values():
        for key in ('AP', 'AP50', 'AP75', 'AR1', 'AR10',
                    'idsw_per_100_frames', 'fps', 'sec_per_iter'):
            assert key in row
    assert set(report['speed']) == {'pipeline', 'bare', 'masktrack'}
    assert set(report['tracker_scaling']) == {'10', '50'}
    assert report['quick'] is True
    assert report['seed'] == 0 and report['data_seed'] == 0
    # --quick trains 3 iterations: (b) fine-tunes (a)'s iteration-1 weights
    assert report['ssl_start'] == 1
    assert (work / 'image' / 'iter_1.pth').is_file()
    assert (work / 'ssl' / 'iter_2.pth').is_file()
    ssl_log = ''.join(p.read_text() for p in (work / 'ssl').glob('*/*.log'))
    assert 'Load checkpoint from ' + str(work / 'image' / 'iter_1.pth') \
        in ssl_log
    r50 = report['r50']
    assert r50['device'] == 'cpu' and r50['shape'] == [360, 640]
    assert r50['solotrack'] > 0 and r50['masktrack'] > 0
    md = (work / 'results.md').read_text()
    assert 'MaskTrack R-CNN' in md and 'ratio ours / MaskTrack R-CNN' in md
    assert 'MaskTrack R-CNN R50 (whole pipeline)' in md
    assert 'not measured' not in md
    for png in ('ap_per_method.png', 'tracker_scaling.png'):
        assert (work / png).stat().st_size > 1000
    assert 'results.md' in proc.stdout


def _load_benchmark_module():
    return load_tool('analysis_tools', 'benchmark_synthvis.py')


def test_r50_rows_say_when_not_measured():
    bench = _load_benchmark_module()
    assert 'no CUDA device' in bench.r50_lines(dict(r50=None, cuda=False))[0]
    assert 'skipped' in bench.r50_lines(dict(r50=None, cuda=True))[0]
    rows = bench.r50_lines(
        dict(cuda=True,
             r50=dict(solotrack=0.05, masktrack=0.1, device='cuda',
                      shape=[360, 640],
                      instances=dict(solotrack=3.0, masktrack=4.0))))
    assert '| SOLOTrack SOLOv2-R50 (whole pipeline) | 0.0500 | 20.00 | 3.0 |' \
        in rows
    assert '| ratio SOLOTrack / MaskTrack R-CNN | 0.50 | | |' in rows


def test_budget_split_continues_the_schedule():
    from mmengine.config import Config
    bench = _load_benchmark_module()
    image = bench.load_cfg(bench.CONFIGS['image'], 'data/x', '/w/image',
                           1440, 0, False)
    ssl = bench.load_cfg(bench.CONFIGS['ssl'], 'data/x', '/w/ssl', 1440, 0,
                         False)
    assert isinstance(image, Config)
    start = bench.split_budget(image, ssl, 1440, '/w/image')
    assert start == 720
    assert image.default_hooks.checkpoint.interval == 720
    assert ssl.train_cfg.max_iters == 720
    assert ssl.load_from == osp.join('/w/image', 'iter_720.pth')
    # (a)'s milestones 1080 and 1324 become 360 and 604 of (b)'s half
    assert ssl.param_scheduler == [
        dict(type='MultiStepLR', by_epoch=False, begin=0, end=720,
             milestones=[360, 604], gamma=0.1)
    ]


def test_existing_synthvis_of_another_data_seed_is_refused(tmp_path):
    """--seed varies training only; data of another seed is not mixed in."""
    import pytest
    bench = _load_benchmark_module()
    root = str(tmp_path / 'synthvis')
    bench.ensure_data(root, 3, quick=True)
    val = tmp_path / 'synthvis' / 'annotations' / 'synthvis_val.json'
    stamp = val.stat().st_mtime_ns
    with pytest.raises(SystemExit) as err:
        bench.ensure_data(root, 0, quick=True)
    assert str(tmp_path / 'synthvis' / 'meta.json') in str(err.value)
    assert 'seed=3 instead of 0' in str(err.value)
    bench.ensure_data(root, 3, quick=True)  # same data: reused as is
    assert val.stat().st_mtime_ns == stamp


def test_readme_budget_and_epoch_length_are_those_of_the_code(tmp_path):
    """The README's benchmark budget (``N iterations per method (E x B``)
    is the benchmark's default on the default SynthVIS, and the iterations
    per epoch it says the 24e config logs are the length of that config's
    training data loader (``[i/57]`` in the log: the last batch partial)."""
    import re

    from mmengine.config import Config
    from mmengine.registry import init_default_scope
    from mmengine.runner import Runner

    from mmsolotrack.datasets.synthvis import (SynthVISConfig,
                                               generate_synthvis)
    with open(osp.join(REPO, 'README.md')) as f:
        readme = f.read()
    budget = re.search(
        r'Training budget: (\d+) iterations per method \((\d+) x (\d+):',
        readme)
    logged = re.search(r'configs themselves log\s+(\d+) iterations per epoch',
                       readme)
    assert budget and logged
    total, epochs, per_epoch = map(int, budget.groups())

    # the default SynthVIS's train split (the other splits do not change it)
    root = str(tmp_path / 'synthvis')
    generate_synthvis(root, SynthVISConfig(seed=0, num_unlabeled=0,
                                           num_val=0), progress=False)
    bench = _load_benchmark_module()
    image_cfg = Config.fromfile(bench.CONFIGS['image'])
    assert bench.default_iters(image_cfg, root) == total == epochs * per_epoch
    assert image_cfg.train_cfg.max_epochs == epochs

    init_default_scope('mmsolotrack')
    image_cfg.train_dataloader.dataset.data_root = root + '/'
    loader = Runner.build_dataloader(image_cfg.train_dataloader, seed=0)
    assert len(loader) == int(logged.group(1)) == per_epoch + 1
