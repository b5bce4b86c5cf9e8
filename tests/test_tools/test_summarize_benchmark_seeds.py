# Copyright (c) mmsolotrack contributors. All rights reserved.
"""summarize_benchmark_seeds.py: mean +- std over benchmark runs, checks."""
import json
import os.path as osp
import sys

import pytest

from ..conftest import REPO, run_tool

TOOL = osp.join(REPO, 'tools', 'analysis_tools',
                'summarize_benchmark_seeds.py')
KEYS = ('AP', 'AP50', 'AP75', 'AR1', 'AR10', 'agnostic_AP', 'agnostic_AP50',
        'agnostic_AR10', 'idsw_per_100_frames', 'fps', 'sec_per_iter')


def write_run(path, seed, ap, idsw, iters=1344, quick=False, data_seed=0):
    """A results.json as benchmark_synthvis.py writes it (two methods)."""
    path.mkdir(parents=True, exist_ok=True)
    results = {
        method: {
            k: 0.5
            for k in KEYS
        } | dict(
            AP=ap + off, agnostic_AP=2 * (ap + off), idsw_per_100_frames=idsw)
        for method, off in (('a', 0.0), ('d', 0.1))
    }
    report = dict(seed=seed,
                  data_seed=data_seed,
                  iters=iters,
                  batch_size=4,
                  input_size='160 x 256',
                  quick=quick,
                  results=results)
    (path / 'results.json').write_text(json.dumps(report))
    return path


def test_mean_and_sample_std_by_hand(tmp_path):
    dirs = [
        write_run(tmp_path / 's0', 0, 0.1, 10.0),
        write_run(tmp_path / 's1', 1, 0.2, 20.0),
        write_run(tmp_path / 's2', 2, 0.6, 30.0),
    ]
    out = tmp_path / 'seeds.md'
    proc = run_tool([sys.executable, TOOL, *map(str, dirs), '--out',
                     str(out)],
                    cwd=tmp_path)
    data = json.loads((tmp_path / 'seeds.json').read_text())
    assert data['seeds'] == [0, 1, 2]
    a = data['summary']['a']
    # AP 0.1, 0.2, 0.6: mean 0.3; deviations -0.2, -0.1, 0.3 -> squares
    # 0.04 + 0.01 + 0.09 = 0.14, / (n - 1) = 0.07, std = sqrt(0.07)
    assert a['AP']['mean'] == pytest.approx(0.3)
    assert a['AP']['std'] == pytest.approx(0.07**0.5)
    assert a['agnostic_AP']['mean'] == pytest.approx(0.6)
    assert a['agnostic_AP']['std'] == pytest.approx(2 * 0.07**0.5)
    # 10, 20, 30: mean 20, sample std 10 (population std would be 8.16)
    assert a['idsw_per_100_frames']['mean'] == pytest.approx(20.0)
    assert a['idsw_per_100_frames']['std'] == pytest.approx(10.0)
    assert data['summary']['d']['AP']['mean'] == pytest.approx(0.4)
    assert data['summary']['d']['AP']['std'] == pytest.approx(0.07**0.5)
    md = out.read_text()
    assert md == proc.stdout.split('written to')[0].rstrip('\n') + '\n'
    row_a = next(line for line in md.splitlines() if line.startswith('| (a)'))
    assert '0.300 +- 0.265' in row_a and '20.0 +- 10.0' in row_a
    assert '0.100 / 0.200 / 0.600' in row_a  # AP per run, in order
    assert 'seeds 0, 1, 2' in md


def test_refuses_runs_that_do_not_compare(tmp_path):
    good = write_run(tmp_path / 'good', 0, 0.1, 10.0)
    cases = {
        'other_budget': (write_run(tmp_path / 'b', 1, 0.1, 1.0,
                                   iters=672), 'iters=672'),
        'quick': (write_run(tmp_path / 'q', 1, 0.1, 1.0,
                            quick=True), 'a --quick run'),
        'absent': (tmp_path / 'absent', 'no benchmark report'),
        'other_data':
        (write_run(tmp_path / 'o', 1, 0.1, 1.0,
                   data_seed=5), 'data seed 5 but the first run used 0'),
        'same_seed':
        (write_run(tmp_path / 'dup', 0, 0.2,
                   1.0), 'training seed 0 is already among the runs'),
    }
    for name, (other, message) in cases.items():
        proc = run_tool(
            [sys.executable, TOOL, str(good),
             str(other)],
            cwd=tmp_path,
            check=False)
        assert proc.returncode != 0, name
        assert message in proc.stdout, (name, proc.stdout[-500:])
        assert str(other / 'results.json') in proc.stdout, name
    corrupt = tmp_path / 'corrupt'
    corrupt.mkdir()
    (corrupt / 'results.json').write_text('{"iters": 13')
    proc = run_tool([sys.executable, TOOL,
                     str(good), str(corrupt)],
                    cwd=tmp_path,
                    check=False)
    assert proc.returncode != 0
    assert f"{corrupt / 'results.json'}: not valid JSON" in proc.stdout
    # a report whose method lacks a column names the method and the key
    broken = write_run(tmp_path / 'broken', 1, 0.1, 1.0)
    report = json.loads((broken / 'results.json').read_text())
    del report['results']['d']['agnostic_AR10']
    (broken / 'results.json').write_text(json.dumps(report))
    proc = run_tool([sys.executable, TOOL,
                     str(good), str(broken)],
                    cwd=tmp_path,
                    check=False)
    assert proc.returncode != 0
    assert "method (d) lacks ['agnostic_AR10']" in proc.stdout
