# Copyright (c) mmsolotrack contributors. All rights reserved.
"""Smoke test of tools/analysis_tools/train_speed.py (no timing asserted)."""
import os.path as osp
import sys

from ..conftest import REPO, run_tool

CONFIGS = [
    'configs/solov2/solov2_r18-tiny_fpn_1xb4-24e_synthvis-frames.py',
    'configs/solotrack/solotrack_solov2-r18-tiny_fpn_1xb4-24e_synthvis.py'
]


def test_train_speed_prints_one_row_per_config(synthvis_root, tmp_path):
    proc = run_tool([
        sys.executable,
        osp.join(REPO, 'tools', 'analysis_tools', 'train_speed.py'),
        *[osp.join(REPO, c) for c in CONFIGS], '--iters', '1', '--warmup',
        '0', '--data-root', synthvis_root
    ],
                    cwd=tmp_path)
    rows = [line for line in proc.stdout.splitlines()
            if line.rstrip().endswith(tuple('0123456789'))
            and 'synthvis' in line]
    assert len(rows) == 2, proc.stdout
    assert rows[0].split()[-1] == '1.00'
    params = [int(r.split()[-3].replace(',', '')) for r in rows]
    assert params[1] > params[0]  # the embedding branch adds parameters
