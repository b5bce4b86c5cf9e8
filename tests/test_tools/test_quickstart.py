# Copyright (c) mmsolotrack contributors. All rights reserved.
"""tools/misc/quickstart.py (`make demo`) on the tiny SynthVIS, for real:
train, track val, metrics.json, demo.mp4 and the contact sheet; a second
run with a longer schedule resumes training, a third reuses everything; a
directory that is not SynthVIS is refused with the generator command."""
import json
import os.path as osp
import re
import sys

import cv2
import pytest

from ..conftest import REPO, TINY_SYNTHVIS, run_tool

QUICKSTART = osp.join(REPO, 'tools', 'misc', 'quickstart.py')


def quickstart(cwd, *args, check=True):
    return run_tool([sys.executable, QUICKSTART, *args], cwd=cwd,
                    check=check)


@pytest.mark.slow
def test_quickstart_trains_tracks_renders_resumes_and_reuses(
        tmp_path, synthvis_root):
    work = tmp_path / 'qs'
    common = ('--data-root', synthvis_root, '--work-dir', str(work))
    first = quickstart(tmp_path, *common, '--iters', '20').stdout
    assert 'SynthVIS found in' in first
    assert (work / 'iter_20.pth').is_file()
    metrics = json.loads((work / 'metrics.json').read_text())
    for key in ('AP', 'AP50', 'AP75', 'AR1', 'AR10', 'agnostic_AP',
                'IDSW_per_100_frames', 'embed_rank1', 'embed_cos_gap',
                'frame_AP', 'frame_agnostic_AP', 'frame_recall50',
                'frame_cls_acc', 'frame_det_cls_acc', 'oracle_assoc_AP'):
        assert isinstance(metrics[key], float), key
    for key in ('AP', 'AP50', 'AP75', 'AR1', 'AR10'):
        assert 0.0 <= metrics[key] <= 1.0
    # the rendered val video: every frame of the first val video, playable
    cap = cv2.VideoCapture(str(work / 'demo.mp4'))
    frames = 0
    while cap.read()[0]:
        frames += 1
    cap.release()
    assert frames == TINY_SYNTHVIS['num_frames']
    sheet = cv2.imread(str(work / 'demo_sheet.png'))
    assert sheet is not None and sheet.shape[0] == 2 * 160 and \
        sheet.shape[1] == 3 * 256
    for name in ('metrics.json', 'demo.mp4', 'demo_sheet.png'):
        assert str(work / name) in first

    # a longer schedule continues from iteration 20 instead of starting over
    second = quickstart(tmp_path, *common, '--iters', '40',
                        '--no-render').stdout
    assert re.search(r'resumed epoch: \d+, iter: 20', second)
    assert (work / 'iter_40.pth').is_file()
    assert 'for 40 iterations' in second

    # run again: nothing is trained
    third = quickstart(tmp_path, *common, '--iters', '40',
                       '--no-render').stdout
    assert 'Trained checkpoint found' in third and 'reusing' in third
    assert 'Training' not in third

    # an epoch count for an iteration-based config is refused
    wrong = quickstart(tmp_path, *common, '--epochs', '2', check=False)
    assert wrong.returncode != 0 and 'use --iters' in wrong.stdout


def test_quickstart_refuses_a_directory_that_is_not_synthvis(tmp_path):
    other = tmp_path / 'mydata'
    other.mkdir()
    (other / 'keep.txt').write_text('not SynthVIS')
    proc = quickstart(tmp_path, '--data-root', str(other), '--work-dir',
                      str(tmp_path / 'qs'), check=False)
    assert proc.returncode != 0
    assert 'is not a SynthVIS data set' in proc.stdout
    assert f'python -m mmsolotrack.datasets.synthvis --out {other}' in \
        proc.stdout
    assert (other / 'keep.txt').read_text() == 'not SynthVIS'
    # --fresh does not overwrite it either
    proc = quickstart(tmp_path, '--data-root', str(other), '--fresh',
                      '--work-dir', str(tmp_path / 'qs'), check=False)
    assert proc.returncode != 0 and (other / 'keep.txt').is_file()
