# Copyright (c) mmsolotrack contributors. All rights reserved.
"""SOLOTrack: a stock mmdet segmenter, an embedding track head and an online
tracker (mmdet's ``detector`` | ``track_head`` | ``tracker`` split).

Shape shorthand: B images in a training batch (still images and clip frames),
N videos, T frames, C channels, H x W padded input, D embedding dims.
"""
import copy
from typing import Dict, List, Optional, Tuple, Union

import torch
from mmdet.models.mot import BaseMOTModel
from mmdet.structures import DetDataSample, TrackDataSample
from mmdet.structures.mask import BitmapMasks
from mmengine.structures import InstanceData
from torch import Tensor

from mmsolotrack.registry import MODELS, TASK_UTILS
from ..classifiers.relabel import CLS_SCORES, relabel_instances
from ..trackers.ground_truth_tracking import track_ground_truth
from ..utils.detector_heads import (check_detector, detector_loss,
                                    detector_num_classes, detector_predict,
                                    heads_in_test_mode)
from ..utils.mask_boxes import mask_boxes
from .legacy_cfg import check_detector_cfg
from .pseudo_instances import DEFAULT_PSEUDO_CFG, select_pseudo_instances
from .training_samples import class_agnostic, with_identity_group


@MODELS.register_module()
class SOLOTrack(BaseMOTModel):
    """Video instance segmentation learned without video annotations.

    Training batches hold independent still images (the detector's losses
    and the track head's image-level embedding losses) and, optionally,
    frames of unlabelled clips (the cycle-consistency loss over the model's
    own predictions). At test time a whole video is segmented frame by frame
    and the tracker links the instances by their embeddings. The backbone
    and neck run once per image for both the detector's heads and the track
    head.

    Args:
        detector (dict): A stock mmdet instance segmenter: a single-stage
            instance segmentor (``mmdet.SOLOv2``, ``mmdet.SOLO``,
            ``mmdet.DecoupledSOLO``) or a single-stage detector with a mask
            head (``mmdet.RTMDet`` with ``RTMDetInsSepBNHead``). Its
            model-zoo checkpoints load unchanged through
            ``detector.init_cfg=dict(type='Pretrained', checkpoint=...)``.
        track_head (dict): The embedding head (``SOLOEmbedHead``) on the
            detector's FPN features.
        tracker (dict, optional): The online tracker used by ``predict`` on
            videos, e.g. ``EmbeddingTracker`` or ``MaskIoUTracker``.
        cls_head (dict, optional): An instance classifier that relabels the
            segmenter's masks (``CropClassifier``), trained on the labelled
            still images. None keeps the segmenter's own labels. With a
            one-class segmenter (``num_classes=1``) the segmenter only finds
            objects (trained on labels 0, its score is objectness) and
            ``cls_head`` names every mask.
        cls_score (str): How a relabelled instance is scored from the
            segmenter's score s and the classifier's probability p of its
            new label: ``'geometric'`` sqrt(s p) (default), ``'product'``
            s p, or ``'detector'`` s.
        loss_cycle (dict, optional): The video self-supervision loss
            (``CycleConsistencyLoss``). Without it, clip frames in a batch
            are an error.
        pseudo_cfg (dict): How pseudo-instances are chosen on unlabelled
            frames from the detector's predictions (its own NMS, test-time
            forward): ``min_score`` (s_min, default 0.3), ``max_instances``
            (N, default 10), ``min_instances`` (N_min, default 3) and
            ``dedup_iou_thr`` (default None), see
            :func:`select_pseudo_instances`. N_min keeps the cycle loss
            active from the first iteration, before any score reaches
            s_min: a walk between any regions of a video, objects or not,
            still teaches correspondence.
        view_aug (dict, optional): Cross-view pairs for the embedding
            losses (``RandomViewAugment``): each labelled still image of a
            batch gets a second view (moved, resized, relit) whose instances
            keep their identities, so the image-level losses also pull an
            instance's embeddings in the two views together. The views go
            through the detector's losses too (as augmented images);
            training costs about twice per image. Defaults to None.
        with_gt_embeddings (bool): When testing on videos, also pool an
            embedding for every ground-truth mask (``gt_instances.embeddings``)
            for the embedding diagnostic, and track the ground-truth
            instances with a copy of the tracker
            (``oracle_track_instances``: association alone, for
            ``OracleAssociationMetric``). Defaults to False.
        data_preprocessor (dict, optional): ``SOLOTrackDataPreprocessor``.
        init_cfg (dict, optional): Initialisation config.
    """

    def __init__(self,
                 detector: dict,
                 track_head: dict,
                 tracker: Optional[dict] = None,
                 cls_head: Optional[dict] = None,
                 cls_score: str = 'geometric',
                 loss_cycle: Optional[dict] = None,
                 pseudo_cfg: dict = dict(
                     min_score=0.3, max_instances=10, min_instances=3),
                 view_aug: Optional[dict] = None,
                 with_gt_embeddings: bool = False,
                 data_preprocessor: Optional[dict] = None,
                 init_cfg: Optional[dict] = None) -> None:
        super().__init__(data_preprocessor, init_cfg)
        check_detector_cfg(detector)
        self.detector = MODELS.build(detector)
        check_detector(self.detector)
        # right after the detector: the parameters keep the order of the
        # old layout (branch last in the mask head), which old optimizer
        # states rely on (tools/model_converters/solotrack_head_split.py)
        self.track_head = MODELS.build(track_head)
        self.tracker = MODELS.build(tracker) if tracker else None
        self.cls_head = MODELS.build(cls_head) if cls_head else None
        if cls_score not in CLS_SCORES:
            raise ValueError("SOLOTrack: cls_score must be 'geometric', "
                             f"'product' or 'detector', got {cls_score!r}")
        self.cls_score = cls_score
        self.loss_cycle = MODELS.build(loss_cycle) if loss_cycle else None
        self.pseudo_cfg = dict(DEFAULT_PSEUDO_CFG, **pseudo_cfg)
        if not 0 <= self.pseudo_cfg['min_instances'] <= \
                self.pseudo_cfg['max_instances']:
            raise ValueError(
                'SOLOTrack: pseudo_cfg needs 0 <= min_instances <= '
                f'max_instances, got {self.pseudo_cfg}')
        self.view_aug = TASK_UTILS.build(view_aug) if view_aug else None
        self.with_gt_embeddings = with_gt_embeddings
        self._oracle_tracker = None

    # ------------------------------------------------------------ training
    def loss(self, inputs: Tensor, data_samples: List[DetDataSample],
             **kwargs) -> Dict[str, Tensor]:
        """Losses of a batch of still images and unlabelled clip frames.

        Args:
            inputs (Tensor): (B, C, H, W), images first, then clip frames.
            data_samples (list[DetDataSample]): B samples; clip frames carry
                ``clip_index`` / ``clip_frame`` in their metainfo and no
                ground truth.

        Returns:
            dict[str, Tensor]: the detector's losses (SOLO: ``loss_mask``,
            ``loss_cls``), the track head's embedding losses, the crop
            classifier's, and ``loss_cycle`` when clips are present.
        """
        if inputs.dim() != 4:
            raise ValueError('SOLOTrack.loss expects (B, C, H, W) inputs from '
                             f'SOLOTrackDataPreprocessor, got {inputs.dim()}D')
        is_clip = [s.metainfo.get('clip_index') is not None
                   for s in data_samples]
        x = self.detector.extract_feat(inputs)
        losses: Dict[str, Tensor] = {}
        img_idx = [i for i, c in enumerate(is_clip) if not c]
        clip_idx = [i for i, c in enumerate(is_clip) if c]
        if img_idx:
            images = [data_samples[i] for i in img_idx]
            if self.class_agnostic_detector:
                images = [class_agnostic(s) for s in images]
            img_inputs = inputs[img_idx] if clip_idx else inputs
            x_img = self._select(x, img_idx)
            if self.view_aug is not None:
                x_img, images = self._add_views(img_inputs, x_img, images)
            losses.update(detector_loss(self.detector, x_img, images))
            losses.update(self.track_head.loss(x_img, images))
            if self.cls_head is not None:
                losses.update(
                    self.cls_head.loss(
                        img_inputs,
                        [data_samples[i].gt_instances for i in img_idx]))
        if clip_idx:
            if self.loss_cycle is None:
                raise RuntimeError('the batch holds unlabelled clip frames '
                                   'but the model has no `loss_cycle`')
            losses['loss_cycle'] = self.loss_cycle_by_feat(
                self._select(x, clip_idx), [data_samples[i] for i in clip_idx])
        return losses

    def _add_views(self, inputs: Tensor, x: Tuple[Tensor],
                   samples: List[DetDataSample]
                   ) -> Tuple[Tuple[Tensor], List[DetDataSample]]:
        """Append a second view of every labelled image to the batch.

        Args:
            inputs (Tensor): (B_i, C, H, W) the labelled images.
            x (tuple[Tensor]): their L feature levels (B_i, C_l, H_l, W_l).
            samples (list[DetDataSample]): their B_i samples (masks padded
                to the batch input).

        Returns:
            tuple: the features of images and views (2 B_i, C_l, H_l, W_l)
            per level, and 2 B_i samples: shallow copies of the images' and
            the views', image b and its view in ``identity_group`` b.
        """
        masks = [s.gt_instances.masks.to_tensor(torch.bool, inputs.device)
                 for s in samples]
        prep = self.data_preprocessor
        views, view_masks = self.view_aug(inputs, masks, prep.mean, prep.std)
        x_views = self.detector.extract_feat(views)
        originals, copies = [], []
        for b, (sample, vmask) in enumerate(zip(samples, view_masks)):
            originals.append(
                with_identity_group(sample, b, sample.gt_instances))
            gt = InstanceData(
                labels=sample.gt_instances.labels,
                bboxes=mask_boxes(vmask).to(sample.gt_instances.bboxes.dtype),
                masks=BitmapMasks(vmask.cpu().numpy(), *vmask.shape[-2:]))
            copies.append(with_identity_group(sample, b, gt))
        x_all = tuple(torch.cat([a, v]) for a, v in zip(x, x_views))
        return x_all, originals + copies

    @property
    def class_agnostic_detector(self) -> bool:
        """True when the segmenter only finds objects (one class) and
        ``cls_head`` names them: the detector is trained on labels 0."""
        return self.cls_head is not None and \
            detector_num_classes(self.detector) == 1

    @staticmethod
    def _select(x: Tuple[Tensor], idx: List[int]) -> Tuple[Tensor]:
        if len(idx) == x[0].shape[0]:
            return x
        index = torch.as_tensor(idx, device=x[0].device)
        return tuple(f.index_select(0, index) for f in x)

    @torch.no_grad()
    def pseudo_instances(self, x: Tuple[Tensor],
                         samples: List[DetDataSample]) -> List[InstanceData]:
        """The detector's own predictions on unlabelled frames, no gradient.

        Args:
            x (tuple[Tensor]): L levels (B_u, C, H_l, W_l) of the frames.
            samples (list[DetDataSample]): The B_u frames.

        Returns:
            list[InstanceData]: per frame, the instances kept by the
            detector's NMS (its test-time forward and ``test_cfg``; with
            ``min_instances`` > 0 no score floor) and by ``pseudo_cfg``
            (:func:`select_pseudo_instances`), highest score first.
        """
        cfg = self.pseudo_cfg
        floors = dict(score_thr=0.0, filter_thr=0.0) \
            if cfg['min_instances'] > 0 else {}
        with heads_in_test_mode(self.detector, **floors):
            results = detector_predict(self.detector, x, samples,
                                       rescale=False)
        return [
            select_pseudo_instances(res, cfg['min_score'],
                                    cfg['max_instances'],
                                    cfg['min_instances'],
                                    cfg['dedup_iou_thr']) for res in results
        ]

    def loss_cycle_by_feat(self, x: Tuple[Tensor],
                           samples: List[DetDataSample]) -> Tensor:
        """Cycle-consistency over pseudo-instances of each clip.

        The instance selection has no gradient; the mask-pooled embeddings
        do, so the loss reaches the track head and the features that feed
        it, never the detector's heads.

        Args:
            x (tuple[Tensor]): L levels (B_u, C, H_l, W_l) of clip frames.
            samples (list[DetDataSample]): B_u clip frames.

        Returns:
            Tensor: the mean loss over clips (0 with the graph kept when no
            clip has instances in two frames).
        """
        pseudo = self.pseudo_instances(x, samples)
        mlvl_embeds = self.track_head(x)
        clips: Dict[int, List[Tuple[int, Tensor]]] = {}
        for i, (sample, inst) in enumerate(zip(samples, pseudo)):
            emb = self.track_head.pool_embeddings(
                [e[i] for e in mlvl_embeds], inst.masks.bool(),
                sample.metainfo)
            clips.setdefault(sample.metainfo['clip_index'], []).append(
                (sample.metainfo['clip_frame'], emb))
        total = sum(e.sum() for e in mlvl_embeds) * 0
        count = 0
        for frames in clips.values():
            xs = [emb for _, emb in sorted(frames, key=lambda f: f[0])]
            if len(xs) < 2 or any(len(e) == 0 for e in xs):
                continue
            total = total + self.loss_cycle(xs)
            count += 1
        return total / max(count, 1)

    # ----------------------------------------------------------- inference
    def predict(self,
                inputs: Tensor,
                data_samples: Union[List[TrackDataSample],
                                    List[DetDataSample]],
                rescale: bool = True,
                **kwargs) -> list:
        """Segment still images, or segment and track one video.

        Args:
            inputs (Tensor): (B, C, H, W) images, or (1, T, C, H, W) one
                video (mmdet's VIS test loop feeds one video at a time).
            data_samples (list): ``DetDataSample`` per image, or one
                ``TrackDataSample`` holding T frames.
            rescale (bool): Masks at the original image size.

        Returns:
            list: the data samples with ``pred_instances`` (masks, boxes
            from masks, scores, labels, embeddings) and, for videos,
            ``pred_track_instances`` (with ``instances_id``) on every frame.
        """
        if inputs.dim() == 4:
            results, _ = self.predict_by_feat(
                self.detector.extract_feat(inputs), data_samples, rescale)
            for i, (sample, res) in enumerate(zip(data_samples, results)):
                self.relabel(inputs[i:i + 1], res, sample.metainfo)
            return self.detector.add_pred_to_datasample(data_samples, results)
        if inputs.dim() != 5 or inputs.shape[0] != 1:
            raise ValueError('SOLOTrack.predict takes (B, C, H, W) images or '
                             f'one (1, T, C, H, W) video, got {inputs.shape}')
        if self.tracker is None:
            raise RuntimeError('video inference needs a `tracker`')
        video = data_samples[0]
        for t in range(len(video)):
            frame = video[t]
            x = self.detector.extract_feat(_frame(inputs, t))
            results, mlvl_embeds = self.predict_by_feat(x, [frame], rescale)
            frame.pred_instances = results[0]
            self.relabel(inputs[:, t], frame.pred_instances, frame.metainfo)
            first = frame.metainfo.get('frame_id', t) == 0
            if self.with_gt_embeddings and 'gt_instances' in frame:
                self._add_gt_embeddings(frame, mlvl_embeds)
                self._track_oracle(frame, t, first)
            if first:
                self.tracker.reset()
            frame.pred_track_instances = self.tracker.track(frame)
        return [video]

    def predict_by_feat(self, x: Tuple[Tensor], samples: List[DetDataSample],
                        rescale: bool = True
                        ) -> Tuple[List[InstanceData], List[Tensor]]:
        """The detector's predictions with boxes from their masks and the
        track head's mask-pooled embeddings.

        Args:
            x (tuple[Tensor]): L levels (B, C, H_l, W_l).
            samples (list[DetDataSample]): B samples.
            rescale (bool): Masks at the original image size.

        Returns:
            tuple: per image ``InstanceData`` with ``masks`` (N, h, w) bool,
            ``bboxes`` (N, 4) of the masks (SOLO predicts none; every
            detector's are replaced so that boxes and masks agree),
            ``scores``, ``labels``, ``embeddings`` (N, D); and the track
            head's L embedding grids (B, D, G_l, G_l).
        """
        results = detector_predict(self.detector, x, samples, rescale)
        for res in results:
            masks = res.masks = res.masks.bool()  # SOLO's empty ones: float
            res.bboxes = mask_boxes(masks).to(res.scores.dtype) \
                if len(masks) else res.scores.new_zeros((0, 4))
        mlvl_embeds = self.track_head(x)
        self.track_head.add_embeddings(mlvl_embeds, results,
                                       [s.metainfo for s in samples])
        return results, mlvl_embeds

    def relabel(self, image: Tensor, pred: InstanceData,
                img_meta: dict) -> InstanceData:
        """:func:`relabel_instances` by ``cls_head`` (no-op without it)."""
        if self.cls_head is None:
            return pred
        return relabel_instances(self.cls_head, image, pred, img_meta,
                                 self.cls_score)

    def _track_oracle(self, frame: DetDataSample, t: int,
                      first: bool) -> None:
        """Association alone: track the ground-truth instances (score 1,
        their labels, the model's embeddings pooled in their masks) with a
        copy of the model's tracker; ``frame.oracle_track_instances``."""
        if 'embeddings' not in frame.gt_instances or not hasattr(
                self.tracker, 'det_score_thr'):
            return
        if first or self._oracle_tracker is None:
            self._oracle_tracker = copy.deepcopy(self.tracker)
            self._oracle_tracker.det_score_thr = 0.0
            self._oracle_tracker.init_score_thr = 0.0
            self._oracle_tracker.reset()
        frame.oracle_track_instances = track_ground_truth(
            self._oracle_tracker, frame, frame_id=t)

    def _add_gt_embeddings(self, frame: DetDataSample,
                           mlvl_embeds: List[Tensor]) -> None:
        gt = frame.gt_instances
        if 'masks' not in gt:
            return
        masks = gt.masks
        if hasattr(masks, 'to_tensor'):
            masks = masks.to_tensor(torch.bool, mlvl_embeds[0].device)
        gt.embeddings = self.track_head.pool_embeddings(
            [e[0] for e in mlvl_embeds], masks.bool(), frame.metainfo)


def _frame(inputs: Tensor, t: int) -> Tensor:
    """Frame t (1, C, H, W) of (1, T, C, H, W) ``inputs``, contiguous in
    its layout (channels-last inputs stay channels-last)."""
    frame = inputs[:, t]
    if frame.is_contiguous(memory_format=torch.channels_last):
        return frame
    return frame.contiguous()
