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


def test_paired_comparison_by_hand(tmp_path):
    """Per-seed differences of (a) vs (d) and (b) vs (a), computed by hand;
    IDSW counts the first method ahead when it switches less; a column one
    method lacks (MaskTrack R-CNN has no association-only AP) is left out."""
    aps = [(0.5, 0.3, 0.6), (0.4, 0.45, 0.38), (0.6, 0.5, 0.7)]  # a, d, b
    dirs = []
    for seed, (a, d, b) in enumerate(aps):
        path = tmp_path / f's{seed}'
        path.mkdir()
        base = {k: 0.5 for k in KEYS}
        results = dict(
            a=base | dict(AP=a, idsw_per_100_frames=5.0, oracle_assoc_AP=0.8),
            b=base | dict(AP=b, idsw_per_100_frames=6.0 - seed,
                          oracle_assoc_AP=0.9),
            d=base | dict(AP=d, idsw_per_100_frames=20.0))
        (path / 'results.json').write_text(json.dumps(dict(
            seed=seed, data_seed=0, iters=2400, batch_size=4,
            input_size='320 x 512', quick=False, results=results)))
        dirs.append(path)
    out = tmp_path / 'seeds.md'
    run_tool([sys.executable, TOOL, *map(str, dirs), '--out', str(out)],
             cwd=tmp_path)
    data = json.loads((tmp_path / 'seeds.json').read_text())
    a_d = data['paired']['a-d']
    assert a_d['AP']['values'] == pytest.approx([0.2, -0.05, 0.1])
    assert a_d['AP']['mean'] == pytest.approx(0.25 / 3)
    # deviations 0.1167, -0.1333, 0.0167: sum of squares 0.031667 / 2
    assert a_d['AP']['std'] == pytest.approx(0.015833**0.5, rel=1e-3)
    assert a_d['AP']['ahead'] == 2
    assert a_d['idsw_per_100_frames']['ahead'] == 3  # 5 < 20 in every seed
    assert 'oracle_assoc_AP' not in a_d
    b_a = data['paired']['b-a']
    assert b_a['AP']['values'] == pytest.approx([0.1, -0.02, 0.1])
    assert b_a['oracle_assoc_AP']['mean'] == pytest.approx(0.1)
    # (b) switches 6, 5, 4 vs 5: ahead only in the last seed
    assert b_a['idsw_per_100_frames']['ahead'] == 1
    assert set(data['paired']) == {'a-d', 'b-a'}  # (c), (e) did not run
    md = out.read_text()
    row = next(line for line in md.splitlines() if line.startswith(
        '| (a) vs (d)'))
    assert '+0.083 +- 0.126 (ahead 2/3)' in row
    assert '| association-only AP |' in md


def test_mixed_data_seeds_only_when_asked(tmp_path):
    """Runs on SynthVIS of other data seeds are refused unless --mixed-data;
    then a run is a (training seed, data seed) sample and the same pair
    twice is still refused."""
    d0 = write_run(tmp_path / 'd0', 0, 0.1, 10.0, data_seed=0)
    d1 = write_run(tmp_path / 'd1', 0, 0.3, 20.0, data_seed=1)
    proc = run_tool([sys.executable, TOOL, str(d0), str(d1)], cwd=tmp_path,
                    check=False)
    assert proc.returncode != 0
    assert 'data seed 1 but the first run used 0' in proc.stdout
    out = tmp_path / 'mixed.md'
    run_tool([sys.executable, TOOL, str(d0), str(d1), '--mixed-data',
              '--out', str(out)], cwd=tmp_path)
    data = json.loads((tmp_path / 'mixed.json').read_text())
    assert data['data_seeds'] == [0, 1]
    assert data['summary']['a']['AP']['mean'] == pytest.approx(0.2)
    assert data['paired']['a-d']['AP']['values'] == pytest.approx([-0.1, -0.1])
    assert 'seeds 0/data 0, 0/data 1' in out.read_text()
    again = write_run(tmp_path / 'again', 0, 0.3, 20.0, data_seed=1)
    proc = run_tool([sys.executable, TOOL, str(d0), str(d1), str(again),
                     '--mixed-data'], cwd=tmp_path, check=False)
    assert proc.returncode != 0
    assert 'training seed 0 on data seed 1 is already among' in proc.stdout
