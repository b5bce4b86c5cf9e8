# Copyright (c) mmsolotrack contributors. All rights reserved.
"""Smoke test of the side-by-side SynthVIS benchmark (`--quick`).

Only the plumbing is checked: every method trains, is evaluated and timed,
and the report and plots are written. No number is asserted.
"""
import json
import os.path as osp
import sys

from ..conftest import REPO, run_tool


def test_benchmark_quick_writes_full_report(tmp_path):
    work = tmp_path / 'bench'
    proc = run_tool([
        sys.executable,
        osp.join(REPO, 'tools', 'analysis_tools', 'benchmark_synthvis.py'),
        '--quick', '--work-dir',
        str(work), '--tracker-sizes', '10', '50'
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
    md = (work / 'results.md').read_text()
    assert 'MaskTrack R-CNN' in md and 'ratio ours / MaskTrack R-CNN' in md
    for png in ('ap_per_method.png', 'tracker_scaling.png'):
        assert (work / png).stat().st_size > 1000
    assert 'results.md' in proc.stdout
