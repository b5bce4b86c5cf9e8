# Copyright (c) mmsolotrack contributors. All rights reserved.
"""ensure_synthvis: reuse the same data, regenerate partial data, refuse
other parameters and folders that are not SynthVIS."""
import json

import pytest

from mmsolotrack.datasets.synthvis import SynthVISConfig, ensure_synthvis


def tiny(seed=0, num_frames=3):
    return SynthVISConfig(seed=seed,
                          num_train=1,
                          num_unlabeled=1,
                          num_val=1,
                          num_frames=num_frames)


def test_reuse_regenerate_and_refuse(tmp_path):
    root = tmp_path / 'synthvis'
    said = []
    assert ensure_synthvis(str(root), tiny(), log=said.append,
                           progress=False) == 'generated'
    val = root / 'annotations' / 'synthvis_val.json'
    stamp = val.stat().st_mtime_ns
    # the same parameters: reused, nothing rewritten
    assert ensure_synthvis(str(root), tiny(), log=said.append) == 'reused'
    assert val.stat().st_mtime_ns == stamp
    # other parameters: refused, naming meta.json and what differs
    with pytest.raises(ValueError) as err:
        ensure_synthvis(str(root), tiny(seed=2, num_frames=4))
    message = str(err.value)
    assert str(root / 'meta.json') in message
    assert 'seed=0 instead of 2' in message
    assert 'num_frames=3 instead of 4' in message
    assert val.stat().st_mtime_ns == stamp
    # only the parameters asked for must match
    assert ensure_synthvis(str(root),
                           tiny(num_frames=4),
                           log=said.append,
                           match=('seed', )) == 'reused'
    with pytest.raises(ValueError, match='seed=0 instead of 2'):
        ensure_synthvis(str(root),
                        tiny(seed=2, num_frames=4),
                        match=('seed', ))
    # ... unless fresh: regenerated with the new parameters
    assert ensure_synthvis(str(root),
                           tiny(seed=2),
                           fresh=True,
                           log=said.append,
                           progress=False) == 'generated'
    assert json.loads((root / 'meta.json').read_text())['seed'] == 2
    # an interrupted generation (a file missing) is regenerated
    val.unlink()
    assert ensure_synthvis(str(root),
                           tiny(seed=2),
                           log=said.append,
                           progress=False) == 'generated'
    assert val.is_file()
    assert "lacks ['annotations/synthvis_val.json']" in said[-1]


def test_folder_that_is_not_synthvis_is_left_alone(tmp_path):
    other = tmp_path / 'mine'
    other.mkdir()
    (other / 'notes.txt').write_text('keep me')
    with pytest.raises(FileExistsError) as err:
        ensure_synthvis(str(other), tiny(), fresh=True, log=lambda m: None)
    assert 'not a SynthVIS data set' in str(err.value)
    assert f'python -m mmsolotrack.datasets.synthvis --out {other}' in str(
        err.value)
    assert [p.name for p in other.iterdir()] == ['notes.txt']
    assert (other / 'notes.txt').read_text() == 'keep me'
