# Copyright (c) mmsolotrack contributors. All rights reserved.
"""The pose-tracking model: a one-stage pose estimator + embedding head +
online tracker (the paper's PoseTrack application).

mmpose's ``BottomupPoseEstimator`` with two more parts, as mmdet's video
models split ``detector | track_head | tracker``: the backbone, neck and
head keys are those of mmpose's YOLOX-Pose, so its checkpoints load
unchanged (the track head's keys are new).

Training is on still images only: the pose losses of mmpose's head plus the
image-level embedding losses at the head's positive priors, identities
being (image, person) pairs. Testing runs the frames of each video in order
(batch size 1, unshuffled): the tracker restarts at each video's frame 0.

Shape shorthand: B images, N people of a frame, K keypoints, D embedding
dims.
"""
from typing import Optional

import torch
from mmpose.models.pose_estimators import BottomupPoseEstimator
from mmengine.structures import BaseDataElement, InstanceData

from mmsolotrack.registry import MODELS

#: The metainfo key holding a frame's 0-based index in its video.
FRAME_INDEX_KEY = 'frame_idx'


@MODELS.register_module()
class EmbedPoseTrack(BottomupPoseEstimator):
    """One-stage multi-person pose estimation with tracking embeddings.

    Args:
        backbone, neck, head: As for mmpose's ``BottomupPoseEstimator``;
            ``head`` must record its assignment
            (:class:`~.YOLOXPoseAssignHead`) when ``track_head`` is trained.
        track_head (dict): The embedding head (:class:`~.PoseEmbedHead`).
        tracker (dict, optional): The online tracker
            (:class:`~mmsolotrack.models.trackers.PoseEmbeddingTracker`);
            None: ``predict`` gives untracked per-frame poses.
        train_cfg, test_cfg, use_syncbn, data_preprocessor, init_cfg: As for
            ``BottomupPoseEstimator``.
    """

    def __init__(self,
                 backbone: dict,
                 track_head: dict,
                 neck: Optional[dict] = None,
                 head: Optional[dict] = None,
                 tracker: Optional[dict] = None,
                 train_cfg: Optional[dict] = None,
                 test_cfg: Optional[dict] = None,
                 use_syncbn: bool = False,
                 data_preprocessor: Optional[dict] = None,
                 init_cfg: Optional[dict] = None) -> None:
        super().__init__(
            backbone=backbone,
            neck=neck,
            head=head,
            train_cfg=train_cfg,
            test_cfg=test_cfg,
            use_syncbn=use_syncbn,
            data_preprocessor=data_preprocessor,
            init_cfg=init_cfg)
        self.track_head = MODELS.build(track_head)
        self.tracker = MODELS.build(tracker) if tracker else None

    def loss(self, inputs: torch.Tensor, data_samples: list) -> dict:
        """Pose losses (mmpose's head) + embedding losses (track head).

        Args:
            inputs (Tensor): (B, 3, H, W).
            data_samples (list[PoseDataSample]): B samples with
                ``gt_instance_labels`` (as mmpose's YOLOX-Pose pipeline packs
                them).

        Returns:
            dict: the losses.
        """
        feats = self.extract_feat(inputs)
        losses = self.head.loss(feats, data_samples, train_cfg=self.train_cfg)
        losses.update(
            self.track_head.loss(self.track_head(feats), data_samples))
        return losses

    def predict(self, inputs: torch.Tensor, data_samples: list) -> list:
        """Poses, their embeddings and (with a tracker) track ids.

        Args:
            inputs (Tensor): (B, 3, H, W), frames of one video in order.
            data_samples (list[PoseDataSample]): B samples; with a tracker
                each metainfo needs ``frame_idx`` (0 starts a new video).

        Returns:
            list[PoseDataSample]: ``pred_instances`` as mmpose gives them
            (image coordinates) plus ``embeddings`` (N, D); with a tracker
            also ``pred_track_instances``: ``keypoints`` (N', K, 2),
            ``keypoint_scores`` (N', K), ``bboxes`` (N', 4), ``scores``
            (N',), ``instances_id`` (N',).
        """
        feats = self.extract_feat(inputs)
        preds = self.head.predict(feats, data_samples, test_cfg=self.test_cfg)
        embeds = self.track_head.predict(self.track_head(feats),
                                         [p.bboxes for p in preds])
        for pred, embed in zip(preds, embeds):
            pred.embeddings = embed.cpu().numpy()
        results = self.add_pred_to_datasample(preds, None, data_samples)
        if self.tracker is None:
            return results
        for sample in results:
            if FRAME_INDEX_KEY not in sample.metainfo:
                raise KeyError(
                    f'EmbedPoseTrack.predict: metainfo has no '
                    f"'{FRAME_INDEX_KEY}' (the frame's index in its video); "
                    "add it to PackPoseInputs' meta_keys")
            if int(sample.metainfo[FRAME_INDEX_KEY]) == 0:
                self.tracker.reset()
            frame = BaseDataElement(
                metainfo=dict(frame_id=int(sample.metainfo[FRAME_INDEX_KEY])),
                pred_instances=_as_tensors(sample.pred_instances,
                                           inputs.device))
            sample.pred_track_instances = self.tracker.track(frame)
        return results


def _as_tensors(pred: InstanceData, device: torch.device) -> InstanceData:
    """The predicted people as tensors (mmpose's head gives numpy)."""
    return InstanceData(**{
        k: torch.as_tensor(pred.get(k), device=device)
        for k in ('keypoints', 'keypoint_scores', 'bboxes', 'scores',
                  'embeddings')
    })
