# Copyright (c) mmsolotrack contributors. All rights reserved.
"""CosineRoIEmbedHead: MaskTrack R-CNN's match logits as cosine / T."""
from types import SimpleNamespace

import pytest
import torch
import torch.nn.functional as F
from mmdet.models.tracking_heads import RoIEmbedHead
from mmengine.registry import DefaultScope

from mmsolotrack.models.tracking_heads import CosineRoIEmbedHead
from mmsolotrack.registry import MODELS

ARGS = dict(num_fcs=2, roi_feat_size=7, in_channels=8, fc_out_channels=16)


def make_head(**kw):
    torch.manual_seed(0)
    return CosineRoIEmbedHead(**dict(ARGS, **kw))


def roi_feats(n, seed):
    return torch.randn(
        n, 8, 7, 7, generator=torch.Generator().manual_seed(seed))


def brute_force_embedding(head, x):
    """The head's embedding written out: fc, ReLU, fc, L2 norm."""
    h = torch.relu(x.flatten(1) @ head.fcs[0].weight.T + head.fcs[0].bias)
    out = h @ head.fcs[1].weight.T + head.fcs[1].bias
    return out / out.norm(dim=1, keepdim=True)


def test_logits_are_cosine_over_temperature_after_the_dummy():
    head = make_head(temperature=0.05).eval()
    x, ref = roi_feats(5, 0), roi_feats(3, 1)
    with torch.no_grad():
        logits = head.predict(x, ref)[0]
    cos = brute_force_embedding(head, x) @ brute_force_embedding(head, ref).T
    assert logits.shape == (5, 4)
    assert torch.all(logits[:, 0] == 0)  # "a new object"
    torch.testing.assert_close(logits[:, 1:], cos / 0.05)
    assert logits.abs().max() <= 1 / 0.05 + 1e-4
    with torch.no_grad():
        self_logits = head.predict(x, x)[0]
    torch.testing.assert_close(self_logits[:, 1:].diagonal(),
                               torch.full((5, ), 1 / 0.05))


def test_the_stock_head_of_the_same_weights_cannot_go_below_the_dummy():
    """What the subclass changes: mmdet's ReLU features never give a
    negative logit, so 'new' (0) never wins."""
    stock = RoIEmbedHead(**ARGS).eval()
    stock.load_state_dict(make_head().state_dict())
    with torch.no_grad():
        logits = stock.predict(roi_feats(5, 0), roi_feats(3, 1))[0]
    assert (logits[:, 1:] >= 0).all()


def test_loss_is_mmdets_cross_entropy_on_the_cosine_logits():
    head = make_head(temperature=0.1)
    x, ref = roi_feats(4, 2), roi_feats(2, 3)
    # a sampling result: 3 positives (GTs 0, 1, 2), then a negative
    res = SimpleNamespace(
        bboxes=torch.zeros(4, 4),
        pos_bboxes=torch.zeros(3, 4),
        pos_assigned_gt_inds=torch.tensor([0, 1, 2]))
    # key GT ids 7, 8, 9; the reference holds 9, 7 (8 left the frame)
    losses = head.loss(x, ref, [4], [2], [res], [torch.tensor([7, 8, 9])],
                       [torch.tensor([9, 7])])
    emb = brute_force_embedding(head, x)
    ref_emb = brute_force_embedding(head, ref)
    logits = torch.cat([torch.zeros(4, 1), emb @ ref_emb.T / 0.1], dim=1)
    target = torch.tensor([2, 0, 1])  # 7 -> ref 1, 8 -> new, 9 -> ref 0
    expected = F.cross_entropy(logits[:3], target, reduction='sum') / 2
    torch.testing.assert_close(losses['loss_match'], expected)


@pytest.mark.parametrize('kw, word', [(dict(temperature=0), 'temperature'),
                                      (dict(num_fcs=0), 'num_fcs')])
def test_bad_arguments_are_refused(kw, word):
    with pytest.raises(ValueError, match=word):
        make_head(**kw)


def test_registered_for_configs():
    with DefaultScope.overwrite_default_scope('mmsolotrack'):
        head = MODELS.build(
            dict(type='mmsolotrack.CosineRoIEmbedHead', temperature=0.2,
                 **ARGS))
    assert isinstance(head, CosineRoIEmbedHead) and head.temperature == 0.2
