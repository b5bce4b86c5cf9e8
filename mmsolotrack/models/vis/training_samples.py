# Copyright (c) mmsolotrack contributors. All rights reserved.
"""Shallow copies of training samples with what one loss needs changed."""
import torch
from mmdet.structures import DetDataSample
from mmengine.structures import InstanceData


def with_identity_group(sample: DetDataSample, group: int,
                        gt: InstanceData) -> DetDataSample:
    """A copy of ``sample`` with ``gt`` as ground truth and ``identity_group``
    ``group`` in its metainfo (images of a group share identities)."""
    out = DetDataSample(metainfo=dict(sample.metainfo, identity_group=group))
    out.gt_instances = gt
    return out


def class_agnostic(sample: DetDataSample) -> DetDataSample:
    """A shallow copy of ``sample`` whose ground-truth labels are 0 (for a
    one-class detector that only finds objects)."""
    gt = InstanceData(metainfo=sample.gt_instances.metainfo)
    for key, value in sample.gt_instances.items():
        gt[key] = value
    gt.labels = torch.zeros_like(sample.gt_instances.labels)
    out = DetDataSample(metainfo=sample.metainfo)
    out.gt_instances = gt
    if 'ignored_instances' in sample:
        out.ignored_instances = sample.ignored_instances
    return out
