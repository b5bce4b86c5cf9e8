# Copyright (c) mmsolotrack contributors. All rights reserved.
"""Smoke test of the side-by-side SynthVIS benchmark (`--quick`).

The plumbing is checked: every method trains, is evaluated and timed, (b)
resumes (a)'s half-way checkpoint, the R50 models are timed (on the CPU
here, the path a CUDA run takes), the report and plots are written and a
second run reuses the trainings. No accuracy is asserted. The budget the
methods share is read from the configs and checked.
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
    assert set(report['results']) == {'a', 'b', 'c', 'd', 'e'}
    for row in report['results'].values():
        for key in ('AP', 'AP50', 'AP75', 'AR1', 'AR10', 'agnostic_AP',
                    'idsw_per_100_frames', 'fps', 'sec_per_iter'):
            assert key in row
    # the decomposition where the config measures it: the per-frame AP for
    # every method, association alone for SOLOTrack (not (d))
    for key in 'abcde':
        assert 'frame_agnostic_AP' in report['results'][key]
    for key in 'abce':
        assert 'oracle_assoc_AP' in report['results'][key]
    assert 'oracle_assoc_AP' not in report['results']['d']
    assert set(report['speed']) == {'pipeline', 'bare', 'masktrack'}
    assert set(report['tracker_scaling']) == {'10', '50'}
    assert report['quick'] is True
    assert report['seed'] == 0 and report['data_seed'] == 0
    # the budget comes from the configs: 2x SynthVIS frames, 4 images
    assert report['budget']['train_scale'] == [512, 320]
    assert report['budget']['images'] == 4
    assert report['budget']['batches']['b']['clips'] == 2
    assert report['budget']['batches']['d']['ref_frames'] == 1
    # --quick trains 3 iterations: (b) resumes (a) at iteration 1
    assert report['ssl_start'] == 1
    assert (work / 'a' / 'iter_1.pth').is_file()
    assert (work / 'b' / 'iter_3.pth').is_file()
    assert not (work / 'b' / 'iter_1.pth').exists()
    ssl_log = ''.join(p.read_text() for p in (work / 'b').glob('*/*.log'))
    assert 'Load checkpoint from ' + str(work / 'a' / 'iter_1.pth') \
        in ssl_log
    assert 'resumed epoch: 0, iter: 1' in ssl_log
    r50 = report['r50']
    assert r50['device'] == 'cpu' and r50['shape'] == [360, 640]
    assert r50['solotrack'] > 0 and r50['masktrack'] > 0
    md = (work / 'results.md').read_text()
    assert 'MaskTrack R-CNN' in md and 'ratio ours / MaskTrack R-CNN' in md
    assert 'MaskTrack R-CNN R50 (whole pipeline)' in md
    assert '(e) (a) without the embedding losses' in md
    assert 'input 320 x 512 in training and 320 x 512 in testing' in md
    assert 'not measured' not in md
    for png in ('ap_per_method.png', 'tracker_scaling.png'):
        assert (work / png).stat().st_size > 1000
    assert 'results.md' in proc.stdout

    # a second run reuses every training and can skip the timings
    proc = run_tool([
        sys.executable,
        osp.join(REPO, 'tools', 'analysis_tools', 'benchmark_synthvis.py'),
        '--quick', '--work-dir',
        str(work), '--methods', 'b', 'c', '--no-speed'
    ],
                    cwd=tmp_path,
                    timeout=600)
    assert '(a): reusing' in proc.stdout and '(b): reusing' in proc.stdout
    assert proc.stdout.count('reusing the evaluation in') == 2
    with open(work / 'results.json') as f:
        again = json.load(f)
    assert set(again['results']) == {'b', 'c'}
    assert again['speed'] is None
    for key in 'bc':
        assert again['results'][key]['agnostic_AP'] == \
            report['results'][key]['agnostic_AP']


def _load_benchmark_module():
    return load_tool('analysis_tools', 'benchmark_synthvis.py')


def test_r50_rows_say_when_not_measured():
    from mmsolotrack import benchmark as bench
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


def test_budget_is_read_from_the_configs_and_checked():
    """The shared budget comes from the configs; a config that trains on
    another input size or budget is refused, both configs named."""
    import pytest
    from mmengine.config import Config

    from mmsolotrack.benchmark import check_budget, config_paths
    bench = _load_benchmark_module()
    paths = config_paths(bench.CFG)
    cfgs = {k: Config.fromfile(p) for k, p in paths.items()}
    budget = check_budget(cfgs)
    assert budget['iters'] == cfgs['a'].train_cfg.max_iters == 2400
    assert budget['images'] == cfgs['a'].train_dataloader.batch_size == 4
    assert budget['train_scale'] == budget['test_scale'] == (512, 320)
    assert budget['batches']['b'] == dict(images=4, clips=2, ref_frames=0)
    assert budget['batches']['d'] == dict(images=4, clips=0, ref_frames=1)

    cfgs['d'].train_cfg.max_iters = 1200
    with pytest.raises(ValueError, match=r'\(d\) .*masktrack.*iters=1200'):
        check_budget(cfgs)
    cfgs['d'].train_cfg.max_iters = 2400
    # the unlabelled clips of (b) at the native size
    cfgs['b'].train_dataloader.dataset.datasets[1].pipeline[0].transforms[
        0].scale = (256, 160)
    with pytest.raises(ValueError, match='train data resized to'):
        check_budget(cfgs)


def test_bare_detector_is_the_stock_segmenter_of_a():
    """The speed table's bare segmenter: (a)'s detector without any
    embedding branch, built from (a)'s config and loading (a)'s weights."""
    from mmengine.config import Config
    from mmengine.registry import init_default_scope

    from mmsolotrack.benchmark import bare_detector_cfg, config_paths
    from mmsolotrack.registry import MODELS
    bench = _load_benchmark_module()
    cfg = Config.fromfile(config_paths(bench.CFG)['a'])
    init_default_scope('mmsolotrack')
    bare = MODELS.build(bare_detector_cfg(cfg.model))
    ours = MODELS.build(cfg.model)
    assert type(bare.mask_head).__module__.startswith('mmdet.')
    ours_keys = {k[len('detector.'):] for k in ours.state_dict()
                 if k.startswith('detector.')}
    bare_keys = set(bare.state_dict())
    assert bare_keys <= ours_keys
    assert not any('embed' in k for k in bare_keys)


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


def test_readme_budget_is_that_of_the_configs():
    """The README's benchmark budget line is what check_budget reads from
    the methods' configs."""
    import re

    from mmengine.config import Config

    from mmsolotrack.benchmark import check_budget, config_paths
    with open(osp.join(REPO, 'README.md')) as f:
        readme = f.read()
    found = re.search(
        r'Training budget: (\d+) iterations per method, (\d+) labelled '
        r'images per batch, input (\d+) x (\d+) in training', readme)
    assert found
    iters, images, h, w = map(int, found.groups())
    bench = _load_benchmark_module()
    budget = check_budget({
        k: Config.fromfile(p)
        for k, p in config_paths(bench.CFG).items()
    })
    assert (budget['iters'], budget['images']) == (iters, images)
    assert budget['train_scale'] == (w, h)


def test_benchmark_data_is_the_quickstarts():
    """The benchmark generates the SynthVIS the quickstart trains on."""
    from mmsolotrack.benchmark import SYNTHVIS_SIZE
    assert SYNTHVIS_SIZE == load_tool('misc', 'quickstart.py').QUICKSTART_DATA
