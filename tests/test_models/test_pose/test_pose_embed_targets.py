# Copyright (c) mmsolotrack contributors. All rights reserved.
"""The embedding head learns exactly at the pose head's positive priors.

Shape shorthand: P priors, Q positives, D embedding dims.
"""
import pytest
import torch
from mmengine.dataset import pseudo_collate
from mmengine.registry import init_default_scope
from mmengine.structures import InstanceData
from mmpose.models.heads.hybrid_heads.yoloxpose_head import YOLOXPoseHead
from mmpose.structures import PoseDataSample

from mmsolotrack.models.pose import PoseEmbedHead, box_center_pool
from mmsolotrack.models.pose.pose_embed_head import (flatten_levels,
                                                     level_priors)
from mmsolotrack.registry import DATASETS, MODELS


@pytest.fixture(scope='module')
def model_and_batch(tiny_pose_cfg):
    torch.manual_seed(0)
    torch.set_num_threads(1)
    init_default_scope('mmsolotrack')
    model = MODELS.build(tiny_pose_cfg.model)
    dataset = DATASETS.build(tiny_pose_cfg.train_dataloader.dataset.dataset)
    batch = pseudo_collate([dataset[i] for i in range(4)])
    data = model.data_preprocessor(batch, True)
    return model, data


def test_assignment_is_the_pose_heads_positives(model_and_batch):
    """Call the head's target computation on its own (random-init)
    predictions: the recorded priors are its foreground, and the recorded
    person of each positive is the ground truth it regresses to."""
    model, data = model_and_batch
    head = model.head
    feats = model.extract_feat(data['inputs'])
    cls, obj, bbox, kpt_off, kpt_vis = head.forward(feats)
    sizes = [c.shape[2:] for c in cls]
    priors = torch.cat(head.prior_generator.grid_priors(
        sizes, dtype=cls[0].dtype, device=cls[0].device, with_stride=True))
    flat = head._flatten_predictions
    bboxes = head.decode_bbox(flat(bbox), priors[..., :2], priors[..., -1])
    kpts = head.decode_kpt_reg(flat(kpt_off), priors[..., :2],
                               priors[..., -1])
    num_pos_total = 0
    for i, sample in enumerate(data['data_samples']):
        with torch.no_grad():
            targets = head._get_targets_single(
                priors, flat(cls)[i].sigmoid(), flat(obj)[i].sigmoid(),
                bboxes[i], kpts[i], flat(kpt_vis)[i].sigmoid(), sample)
        foreground, bbox_target = targets[0], targets[4]
        assign = sample.pos_assignment
        assert torch.equal(assign.prior_inds, foreground.nonzero().view(-1))
        gt_boxes = sample.gt_instance_labels.bboxes
        # person k -> the one ground truth its positives regress to
        owner = {}
        for q, k in enumerate(assign.person.tolist()):
            match = (gt_boxes == bbox_target[q]).all(1).nonzero().view(-1)
            assert len(match) >= 1
            owner.setdefault(k, int(match[0]))
            assert torch.equal(gt_boxes[owner[k]], bbox_target[q])
            # SimOTA's positives lie in the box or its center region
            x, y, s = priors[assign.prior_inds[q]][[0, 1, 2]].tolist()
            x0, y0, x1, y1 = gt_boxes[owner[k]].tolist()
            cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
            in_box = x0 <= x <= x1 and y0 <= y <= y1
            near = abs(x - cx) <= 2.5 * s and abs(y - cy) <= 2.5 * s
            assert in_box or near
        assert len(set(owner.values())) == len(owner)  # one gt per person
        assert sorted(owner) == list(range(len(owner)))
        num_pos_total += len(assign.prior_inds)
    assert num_pos_total > 0


def test_loss_gathers_the_assigned_priors(model_and_batch):
    """After model.loss, positive_embeddings returns the embedding rows of
    the recorded priors, identities unique per (image, person)."""
    model, data = model_and_batch
    model.loss(data['inputs'], data['data_samples'])
    feats = model.extract_feat(data['inputs'])
    embeds = model.track_head(feats)
    model.track_head.max_samples_per_instance = None
    z, y = model.track_head.positive_embeddings(embeds, data['data_samples'])
    flat = flatten_levels(embeds)
    rows, ids, offset = [], [], 0
    for i, sample in enumerate(data['data_samples']):
        a = sample.pos_assignment
        rows.append(flat[i][a.prior_inds])
        ids.append(a.person + offset)
        offset += int(a.person.max()) + 1 if len(a.person) else 0
    assert torch.allclose(z, torch.cat(rows))
    assert torch.equal(y, torch.cat(ids))
    assert torch.allclose(z.norm(dim=1), torch.ones(len(z)), atol=1e-5)


def test_flatten_order_matches_the_pose_head(model_and_batch):
    model, data = model_and_batch
    feats = model.extract_feat(data['inputs'])
    maps = [torch.randn(2, 5, *f.shape[2:]) for f in feats]
    assert torch.equal(flatten_levels(maps), model.head._flatten_predictions(
        maps))
    sizes = [f.shape[2:] for f in feats]
    ours = level_priors(sizes, (8, 16, 32), 0., torch.device('cpu'))
    theirs = torch.cat(model.head.prior_generator.grid_priors(
        sizes, dtype=torch.float32, device='cpu', with_stride=True))
    assert torch.equal(ours, theirs[:, :3])


def _head(**kwargs):
    init_default_scope('mmsolotrack')
    return PoseEmbedHead(in_channels=8, feat_channels=8, embed_dims=4,
                         norm_cfg=dict(type='GN', num_groups=4), **kwargs)


def _sample(prior_inds, person):
    sample = PoseDataSample()
    sample.pos_assignment = InstanceData(
        prior_inds=torch.tensor(prior_inds, dtype=torch.long),
        person=torch.tensor(person, dtype=torch.long))
    return sample


def test_no_or_one_person_gives_zero_finite_losses():
    head = _head()
    maps = head([torch.randn(2, 8, 4, 4), torch.randn(2, 8, 2, 2),
                 torch.randn(2, 8, 1, 1)])
    for samples in ([_sample([], []), _sample([], [])],
                    [_sample([0, 3], [0, 0]), _sample([], [])]):
        losses = head.loss(maps, samples)
        total = sum(losses.values())
        assert float(total) == 0.0 and torch.isfinite(total)
        total.backward(retain_graph=True)


def test_missing_assignment_is_a_clear_error():
    head = _head()
    maps = head([torch.randn(1, 8, 4, 4), torch.randn(1, 8, 2, 2),
                 torch.randn(1, 8, 1, 1)])
    with pytest.raises(KeyError, match='YOLOXPoseAssignHead'):
        head.loss(maps, [PoseDataSample()])


def test_box_center_pool_matches_a_loop():
    torch.manual_seed(0)
    sizes, strides = [(6, 8), (3, 4)], (8, 16)
    priors = level_priors(sizes, strides, 0., torch.device('cpu'))
    embeds = torch.nn.functional.normalize(torch.randn(len(priors), 4), dim=1)
    boxes = torch.tensor([[4., 4., 40., 30.], [50., 10., 52., 12.]])
    out = box_center_pool(embeds, priors, boxes, 1.0)
    for n, (x0, y0, x1, y1) in enumerate(boxes.tolist()):
        cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
        picked = [p for p, (x, y, s) in enumerate(priors.tolist())
                  if x0 <= x <= x1 and y0 <= y <= y1
                  and abs(x - cx) <= s and abs(y - cy) <= s]
        if not picked:  # nearest prior
            d = [(x - cx)**2 + (y - cy)**2 for x, y, _ in priors.tolist()]
            picked = [min(range(len(d)), key=d.__getitem__)]
        ref = torch.nn.functional.normalize(embeds[picked].mean(0), dim=0)
        assert torch.allclose(out[n], ref, atol=1e-6)


def test_assign_head_is_mmposes_head():
    from mmsolotrack.models.pose import YOLOXPoseAssignHead
    assert issubclass(YOLOXPoseAssignHead, YOLOXPoseHead)
