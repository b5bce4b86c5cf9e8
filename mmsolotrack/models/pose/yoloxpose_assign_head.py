# Copyright (c) mmsolotrack contributors. All rights reserved.
"""mmpose's YOLOX-Pose head, telling which person owns each positive prior.

The embedding head (:class:`~.PoseEmbedHead`) learns at the priors that the
pose head's SimOTA assigner makes positive for a person, so the two heads see
the same cells. ``YOLOXPoseHead._get_targets_single`` computes that
assignment but returns only a foreground mask and, per person, the rows of
its positives; this subclass keeps both with the data sample.

Shape shorthand: P priors of an image (all levels, level-major, row-major
inside a level, as ``YOLOXPoseHead._flatten_predictions`` orders them), Q
positive priors of the image.
"""
from mmengine.registry import DefaultScope
from mmengine.structures import InstanceData
from mmpose.models.heads.hybrid_heads.yoloxpose_head import YOLOXPoseHead

from mmsolotrack.registry import MODELS

#: The data-sample field that holds the assignment of the last loss call.
ASSIGNMENT_FIELD = 'pos_assignment'


@MODELS.register_module()
class YOLOXPoseAssignHead(YOLOXPoseHead):
    """``mmpose.YOLOXPoseHead`` that records its positive assignment.

    After :meth:`loss`, every data sample of the batch carries
    ``pos_assignment``, an :class:`InstanceData` of Q rows:
    ``prior_inds`` (Q,) long, the positive priors in increasing order, and
    ``person`` (Q,) long, which of the image's assigned people (0, 1, ...,
    in increasing ground-truth index) each belongs to.

    The head's own sub-modules (assigner, prior generator, losses) are
    built in mmpose's scope, so its config reads as mmpose's
    (``type='SimOTAAssigner'``, ``type='OKSLoss'``, ...): the assigner
    builds mmpose-only modules of its own.

    Args:
        **kwargs: As for ``mmpose.models.heads.YOLOXPoseHead``.
    """

    def __init__(self, **kwargs) -> None:
        with DefaultScope.overwrite_default_scope('mmpose'):
            super().__init__(**kwargs)

    def _get_targets_single(self, priors, cls_scores, objectness,
                            decoded_bboxes, decoded_kpts, kpt_vis,
                            data_sample) -> tuple:
        """mmpose's targets of one image, the assignment kept on the sample.

        Returns:
            tuple: exactly what ``YOLOXPoseHead._get_targets_single`` returns.
        """
        targets = super()._get_targets_single(priors, cls_scores, objectness,
                                              decoded_bboxes, decoded_kpts,
                                              kpt_vis, data_sample)
        foreground, group_index = targets[0], targets[10]
        prior_inds = foreground.nonzero(as_tuple=False).view(-1)  # (Q,)
        person = prior_inds.new_full(prior_inds.shape, -1)
        for k, rows in enumerate(group_index):
            person[rows] = k
        data_sample.set_field(
            InstanceData(prior_inds=prior_inds, person=person),
            ASSIGNMENT_FIELD)
        return targets
