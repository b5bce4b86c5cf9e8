# Copyright (c) mmsolotrack contributors. All rights reserved.
"""tools/model_converters/solotrack_head_split.py: a checkpoint of the old
layout (embedding branch in ``detector.mask_head``) converts to one that
loads strictly and gives the same outputs; unconverted, it is refused with a
message naming the converter."""
import os.path as osp
import subprocess
import sys
from collections import OrderedDict

import numpy as np
import pytest
import torch
from mmengine.config import Config
from mmengine.logging import HistoryBuffer
from mmengine.runner import Runner, load_checkpoint

from mmsolotrack.apis import init_model
from mmsolotrack.utils import LegacyCheckpointError
from ..conftest import REPO
from ..test_models.test_vis.test_solotrack import (build, confident,
                                                   regression_batch, tiny_cfg,
                                                   video_batch)

CONVERTER = osp.join(REPO, 'tools', 'model_converters',
                     'solotrack_head_split.py')
TINY = osp.join(REPO, 'configs', 'solotrack',
                'solotrack_solov2-r18-tiny_fpn_1xb4-24e_synthvis.py')
QUICKSTART = osp.join(REPO, 'configs', 'solotrack',
                      'solotrack_solov2-r18-tiny_fpn_1xb4-2400i_synthvis.py')
# the embedding keys of the tiny config's checkpoints before the split
# (read from one the old code saved)
OLD_EMBED_KEYS = [
    'detector.mask_head.embed_branch.convs.0.conv.weight',
    'detector.mask_head.embed_branch.convs.0.gn.weight',
    'detector.mask_head.embed_branch.convs.0.gn.bias',
    'detector.mask_head.embed_branch.convs.1.conv.weight',
    'detector.mask_head.embed_branch.convs.1.gn.weight',
    'detector.mask_head.embed_branch.convs.1.gn.bias',
    'detector.mask_head.embed_branch.conv_embed.weight',
    'detector.mask_head.embed_branch.conv_embed.bias',
]


def old_layout_state(model):
    """``model``'s state dict as the old layout ordered it: the embedding
    branch inside the mask head, after its other keys."""
    state = model.state_dict()
    embed = [(k.replace('track_head.', 'detector.mask_head.', 1), v)
             for k, v in state.items() if k.startswith('track_head.')]
    old = OrderedDict()
    for key, value in state.items():
        if key.startswith('track_head.'):
            continue
        old[key] = value
        if key.startswith('detector.mask_head.') and not any(
                k.startswith('detector.mask_head.')
                for k in list(state)[list(state).index(key) + 1:]):
            old.update(embed)  # right after the mask head's last key
    assert [k for k in old if 'embed_branch' in k] == OLD_EMBED_KEYS
    return old


def old_layout_checkpoint(model, path):
    """What the old code's Runner saved for ``model``'s weights, with
    optimizer and message-hub states."""
    old = old_layout_state(model)
    hub = dict(log_scalars=dict(loss=HistoryBuffer([1.0, 0.5], [1, 1])))
    torch.save(
        dict(meta=dict(iter=24, seed=0, dataset_meta=dict(classes=['a'])),
             state_dict=old,
             optimizer=dict(state={0: dict(step=np.float64(1.0))},
                            param_groups=[]),
             message_hub=hub), path)


def convert(src, dst):
    return subprocess.run([sys.executable, CONVERTER, src, dst],
                          capture_output=True, text=True, cwd=REPO)


def outputs(model):
    data = model.data_preprocessor(regression_batch(), True)
    torch.manual_seed(0)
    losses = {k: v.item() for k, v in model(**data, mode='loss').items()}
    model.eval()
    with torch.no_grad():
        video = model(**model.data_preprocessor(video_batch(2, 5), False),
                      mode='predict')[0]
    model.train()
    preds = [(f.pred_instances.masks, f.pred_instances.embeddings,
              f.pred_track_instances.instances_id) for f in video]
    return losses, preds


@pytest.fixture
def old_and_new(tmp_path):
    model = confident(build(tiny_cfg().model, seed=0))
    old, new = str(tmp_path / 'old.pth'), str(tmp_path / 'new.pth')
    old_layout_checkpoint(model, old)
    return model, old, new


def test_converted_checkpoint_loads_strictly_with_the_same_outputs(
        old_and_new):
    model, old, new = old_and_new
    result = convert(old, new)
    assert result.returncode == 0, result.stderr
    assert '8 keys moved' in result.stdout
    fresh = build(tiny_cfg().model, seed=1)
    load_checkpoint(fresh, new, strict=True)  # no missing / unexpected key
    for key, value in model.state_dict().items():
        assert torch.equal(fresh.state_dict()[key], value), key
    ref_losses, ref_preds = outputs(model)
    losses, preds = outputs(fresh)
    assert losses == ref_losses
    for ref, got in zip(ref_preds, preds):
        assert len(ref[0]) > 0
        for a, b in zip(ref, got):
            assert torch.equal(a, b)

def test_optimizer_states_stay_valid(old_and_new):
    """Only keys change: the optimizer's per-index states still belong to
    the same parameters, because the track head's parameters come right
    after the detector's, where the branch was (last in the mask head, the
    detector's last head)."""
    model, old, new = old_and_new
    assert convert(old, new).returncode == 0
    from mmsolotrack.utils import load_checkpoint_file
    converted = load_checkpoint_file(new)
    original = load_checkpoint_file(old)
    assert set(converted) == set(original)  # optimizer, message hub kept
    assert converted['optimizer']['state'] == original['optimizer']['state']
    assert converted['meta']['dataset_meta'] == dict(classes=['a'])
    assert 'solotrack_head_split' in converted['meta']['converted_by']
    names = [n for n, _ in model.named_parameters()]
    old_order = [n.replace('track_head.', 'detector.mask_head.', 1)
                 for n in names]
    in_old = list(old_layout_state(model))
    assert old_order == [k for k in in_old if k in set(old_order)]
    # the invariant, also with a crop classifier (the quickstart model): the
    # track head's parameters follow the detector's, before anything else
    quick = Config.fromfile(QUICKSTART).model
    for cfg in (tiny_cfg().model, quick):
        names = [n.split('.')[0] for n, _ in build(cfg).named_parameters()]
        first, count = names.index('track_head'), names.count('track_head')
        assert set(names[:first]) == {'detector'}, names
        assert names[first:first + count] == ['track_head'] * count
        assert 'detector' not in names[first:]


def test_unconverted_checkpoint_is_refused_naming_the_converter(
        old_and_new, tmp_path):
    _, old, _ = old_and_new
    with pytest.raises(LegacyCheckpointError) as err:
        init_model(TINY, old)
    message = str(err.value)
    assert 'tools/model_converters/solotrack_head_split.py' in message
    assert old in message and 'detector.mask_head.embed_branch' in message
    # the Runner (tools/test.py, load_from, resume) refuses it alike
    cfg = Config.fromfile(TINY)
    cfg.work_dir = str(tmp_path / 'work')
    runner = Runner.from_cfg(cfg)
    with pytest.raises(LegacyCheckpointError, match='solotrack_head_split'):
        runner.load_checkpoint(old)


def test_converter_refuses_a_checkpoint_of_the_new_layout(old_and_new):
    _, old, new = old_and_new
    assert convert(old, new).returncode == 0
    again = new + '.again'
    result = convert(new, again)
    assert result.returncode == 1 and 'not a checkpoint of the old' in \
        result.stderr
    assert not osp.exists(again)
