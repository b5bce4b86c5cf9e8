# Copyright (c) mmsolotrack contributors. All rights reserved.
"""tools/analysis_tools/benchmark.py runs and prints its table."""
import os.path as osp
import re
import sys

import pytest

from ..conftest import REPO, run_tool

BENCHMARK = osp.join(REPO, 'tools', 'analysis_tools', 'benchmark.py')
CONFIG = osp.join(
    REPO,
    'configs/solotrack/solotrack_solov2-r18-tiny_fpn_1xb4-24e_synthvis.py')
PART_ROWS = ('preprocess', 'backbone + neck + heads', 'post-processing',
             'tracker', 'other')


def test_benchmark_random_frames(tmp_path):
    proc = run_tool([
        sys.executable, BENCHMARK, CONFIG, '--shape', '96', '160',
        '--num-frames', '3', '--warmup', '1', '--repeat', '1'
    ],
                    cwd=tmp_path,
                    checkout=True)
    out = proc.stdout
    assert 'random weights' in out
    assert '160x96' in out
    rows = {}
    for line in out.splitlines():
        cells = [c.strip() for c in line.strip().strip('|').split('|')]
        if len(cells) == 4 and cells[3].endswith('%'):
            rows[cells[0]] = (float(cells[1]), float(cells[3][:-1]))
    labels = list(rows)
    for part in PART_ROWS:
        assert any(label.startswith(part) for label in labels), labels
    assert rows['whole pipeline'][1] == 100.0
    # the parts and the remainder split the frame time of the same runs
    shares = [
        share for label, (_, share) in rows.items()
        if label != 'whole pipeline'
    ]
    assert abs(sum(shares) - 100.0) < 0.5
    parts_ms = sum(ms for label, (ms, _) in rows.items()
                   if label != 'whole pipeline')
    assert abs(parts_ms - rows['whole pipeline'][0]) < 0.5
    assert re.search(r'instances per frame: [\d.]+ after NMS', out)


def test_benchmark_needs_a_source(tmp_path):
    proc = run_tool([sys.executable, BENCHMARK, CONFIG],
                    cwd=tmp_path,
                    check=False,
                    checkout=True)
    assert proc.returncode == 2
    assert 'one of the arguments --video --shape is required' in proc.stdout


def test_benchmark_times_the_tracker_alone(tmp_path):
    proc = run_tool([
        sys.executable, BENCHMARK, CONFIG, '--shape', '96', '160',
        '--num-frames', '2', '--warmup', '0', '--repeat', '1',
        '--tracker-instances', '5', '40', '--tracker-frames', '3'
    ],
                    cwd=tmp_path,
                    checkout=True)
    out = proc.stdout
    frame_ms = float(
        re.search(r'share of the ([\d.]+) ms pipeline frame', out).group(1))
    rows = {}
    for line in out.splitlines():
        cells = [c.strip() for c in line.strip().strip('|').split('|')]
        if len(cells) == 5 and cells[4].endswith('%'):
            rows[int(cells[0])] = [float(c) for c in cells[1:4]] + [
                float(cells[4][:-1])
            ]
    assert sorted(rows) == [5, 40]
    for n, (tracked, ms, us_per_instance, share) in rows.items():
        assert 0 < tracked <= n and ms > 0
        # bounds from the printed rounding: ms to 3 decimals, us and share
        # to 1, the frame's ms to 1 (plus float slack)
        us_tol = 0.05 + 1000 * 0.0005 / n + 1e-6
        assert us_per_instance == pytest.approx(1000 * ms / n, abs=us_tol)
        share_tol = 0.05 + 100 * (0.0005 / frame_ms +
                                  ms * 0.05 / frame_ms**2) + 1e-6
        assert share == pytest.approx(100 * ms / frame_ms, abs=share_tol)
    # without counts the section is skipped
    proc = run_tool([
        sys.executable, BENCHMARK, CONFIG, '--shape', '96', '160',
        '--num-frames', '1', '--warmup', '0', '--repeat', '1',
        '--tracker-instances'
    ],
                    cwd=tmp_path,
                    checkout=True)
    assert 'tracker alone' not in proc.stdout


def test_benchmark_amp_channels_last_against_fp32(tmp_path):
    """--amp --channels-last: the table is the variant's, and float32 runs
    interleaved give the ratio (this checkout's package, as the demo's
    tests run it)."""
    proc = run_tool([
        sys.executable, BENCHMARK, CONFIG, '--shape', '96', '160',
        '--num-frames', '2', '--warmup', '1', '--repeat', '2', '--amp',
        '--channels-last', '--tracker-instances'
    ],
                    cwd=tmp_path,
                    checkout=True)
    out = proc.stdout
    assert 'network: bfloat16 autocast, channels-last layout' in out
    rows = {}
    for line in out.splitlines():
        cells = [c.strip() for c in line.strip().strip('|').split('|')]
        if len(cells) == 4 and cells[0] in ('whole pipeline',
                                            'backbone + neck + heads '
                                            '(forward)') and \
                cells[3].replace('.', '').isdigit():
            rows[cells[0]] = [float(c) for c in cells[1:]]
    assert len(rows) == 2, out[-3000:]
    for base, variant, ratio in rows.values():
        assert base > 0 and variant > 0
        assert ratio == pytest.approx(variant / base, abs=0.01 + 0.06 / base)
