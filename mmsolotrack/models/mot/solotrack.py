# Copyright (c) mmsolotrack contributors. All rights reserved.
"""SOLOTrack: a SOLO segmenter with an embedding head and an online tracker.

Shape shorthand: B images in a training batch (still images and clip frames),
N videos, T frames, C channels, H x W padded input, D embedding dims.
"""
import copy
from typing import Dict, List, Optional, Tuple, Union

import torch
from mmdet.models.mot import BaseMOTModel
from mmdet.structures import DetDataSample, TrackDataSample
from mmdet.structures.mask import BitmapMasks, mask2bbox
from mmengine.structures import InstanceData
from torch import Tensor

from mmsolotrack.registry import MODELS, TASK_UTILS
from ..trackers.mask_nms import suppress_duplicates
from ..trackers.ground_truth_tracking import track_ground_truth


@MODELS.register_module()
class SOLOTrack(BaseMOTModel):
    """Video instance segmentation learned without video annotations.

    Training batches hold independent still images (the image-level losses
    of the detector's embedding head) and, optionally, frames of unlabelled
    clips (the cycle-consistency loss over the model's own predictions). At
    test time a whole video is segmented frame by frame and the tracker links
    the instances by their embeddings.

    Args:
        detector (dict): A SOLO-family single-stage instance segmentor
            (e.g. ``mmdet.SOLOv2``) whose ``mask_head`` is an embedding head
            (``SOLOV2EmbedHead`` / ``SOLOEmbedHead``).
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
            frames: ``min_score`` (s_min, default 0.3), ``max_instances``
            (N, default 10), ``min_instances`` (N_min, default 3) and
            ``dedup_iou_thr`` (default None), applied after the head's
            matrix NMS: with ``dedup_iou_thr``, a mask overlapping a
            higher-scoring one by more is dropped first (matrix NMS decays
            duplicates but keeps them, and a walk cannot tell two copies of
            one object apart); then the instances scoring at least s_min,
            at most N; when fewer than N_min pass, the N_min
            highest-scoring ones. N_min keeps the cycle loss active from the
            first iteration, before any score reaches s_min: a walk between
            any regions of a video, objects or not, still teaches
            correspondence.
        view_aug (dict, optional): Cross-view pairs for the embedding
            losses (``RandomViewAugment``): each labelled still image of a
            batch gets a second view (moved, resized, relit) whose instances
            keep their identities, so the image-level losses also pull an
            instance's embeddings in the two views together. The views go
            through the whole detector loss too (as augmented images);
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
        self.detector = MODELS.build(detector)
        head = self.detector.mask_head
        if not hasattr(head, 'forward_embed'):
            raise TypeError(
                f'SOLOTrack needs an embedding head, got '
                f'{type(head).__name__}; use SOLOV2EmbedHead or SOLOEmbedHead')
        self.tracker = MODELS.build(tracker) if tracker else None
        self.cls_head = MODELS.build(cls_head) if cls_head else None
        if cls_score not in ('geometric', 'product', 'detector'):
            raise ValueError("SOLOTrack: cls_score must be 'geometric', "
                             f"'product' or 'detector', got {cls_score!r}")
        self.cls_score = cls_score
        self.loss_cycle = MODELS.build(loss_cycle) if loss_cycle else None
        self.pseudo_cfg = dict(min_score=0.3, max_instances=10,
                               min_instances=3, dedup_iou_thr=None)
        self.pseudo_cfg.update(pseudo_cfg)
        if not 0 <= self.pseudo_cfg['min_instances'] <= \
                self.pseudo_cfg['max_instances']:
            raise ValueError(
                'SOLOTrack: pseudo_cfg needs 0 <= min_instances <= '
                f'max_instances, got {self.pseudo_cfg}')
        self.view_aug = TASK_UTILS.build(view_aug) if view_aug else None
        self.with_gt_embeddings = with_gt_embeddings
        self._oracle_tracker = None

    @property
    def head(self):
        return self.detector.mask_head

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
            dict[str, Tensor]: SOLO's ``loss_mask``, ``loss_cls``, the
            embedding losses, and ``loss_cycle`` when clips are present.
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
                images = [self._agnostic(s) for s in images]
            img_inputs = inputs[img_idx] if clip_idx else inputs
            x_img = self._select(x, img_idx)
            if self.view_aug is not None:
                x_img, images = self._add_views(img_inputs, x_img, images)
            losses.update(self.head.loss(x_img, images))
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
            originals.append(self._regroup(sample, b, sample.gt_instances))
            gt = InstanceData(
                labels=sample.gt_instances.labels,
                bboxes=mask2bbox(vmask).to(sample.gt_instances.bboxes.dtype),
                masks=BitmapMasks(vmask.cpu().numpy(), *vmask.shape[-2:]))
            copies.append(self._regroup(sample, b, gt))
        x_all = tuple(torch.cat([a, v]) for a, v in zip(x, x_views))
        return x_all, originals + copies

    @staticmethod
    def _regroup(sample: DetDataSample, group: int,
                 gt: InstanceData) -> DetDataSample:
        """A sample with ``gt`` as ground truth and ``identity_group``."""
        out = DetDataSample(metainfo=dict(sample.metainfo,
                                          identity_group=group))
        out.gt_instances = gt
        return out

    @property
    def class_agnostic_detector(self) -> bool:
        """True when the segmenter only finds objects (one class) and
        ``cls_head`` names them: the detector is trained on labels 0."""
        return self.cls_head is not None and self.head.num_classes == 1

    @staticmethod
    def _agnostic(sample: DetDataSample) -> DetDataSample:
        """A shallow copy of ``sample`` whose ground-truth labels are 0."""
        gt = InstanceData(metainfo=sample.gt_instances.metainfo)
        for key, value in sample.gt_instances.items():
            gt[key] = value
        gt.labels = torch.zeros_like(sample.gt_instances.labels)
        out = DetDataSample(metainfo=sample.metainfo)
        out.gt_instances = gt
        if 'ignored_instances' in sample:
            out.ignored_instances = sample.ignored_instances
        return out

    @staticmethod
    def _select(x: Tuple[Tensor], idx: List[int]) -> Tuple[Tensor]:
        if len(idx) == x[0].shape[0]:
            return x
        index = torch.as_tensor(idx, device=x[0].device)
        return tuple(f.index_select(0, index) for f in x)

    @torch.no_grad()
    def pseudo_instances(self, outs: tuple,
                         samples: List[DetDataSample]) -> List[InstanceData]:
        """The model's own predictions on unlabelled frames, no gradient.

        Args:
            outs (tuple): The head's forward outputs for the frames.
            samples (list[DetDataSample]): The frames.

        Returns:
            list[InstanceData]: per frame, the instances kept by matrix NMS
            (as at inference) and by ``dedup_iou_thr``, with
            ``score >= min_score``, at most
            ``max_instances``, at least the ``min_instances`` best (when
            the frame has that many), highest score first.
        """
        detached = [[o.detach() for o in out] if isinstance(out, (list,
                                                                 tuple))
                    else out.detach() for out in outs]
        min_num = self.pseudo_cfg['min_instances']
        test_cfg = self.head.test_cfg
        if min_num > 0:  # no score floors: the N_min best always exist
            self.head.test_cfg = copy.deepcopy(test_cfg)
            self.head.test_cfg.score_thr = 0.0
            if 'filter_thr' in test_cfg:  # matrix NMS's floor
                self.head.test_cfg.filter_thr = 0.0
        try:
            results = self.head.predict_by_feat(
                *detached,
                batch_img_metas=[s.metainfo for s in samples],
                rescale=False)
        finally:
            self.head.test_cfg = test_cfg
        min_score = self.pseudo_cfg['min_score']
        max_num = self.pseudo_cfg['max_instances']
        dedup = self.pseudo_cfg['dedup_iou_thr']
        picked = []
        for res in results:
            order = res.scores.argsort(descending=True, stable=True)
            if dedup is not None and len(order) > 1:
                order = order[suppress_duplicates(res.masks[order].bool(),
                                                  dedup)]
            num = int((res.scores[order] >= min_score).sum())
            picked.append(res[order[:min(max(num, min_num), max_num)]])
        return picked

    def loss_cycle_by_feat(self, x: Tuple[Tensor],
                           samples: List[DetDataSample]) -> Tensor:
        """Cycle-consistency over pseudo-instances of each clip.

        The instance selection has no gradient; the mask-pooled embeddings
        do, so the loss reaches the embedding branch and the features that
        feed it, never the category or mask branches.

        Args:
            x (tuple[Tensor]): L levels (B_u, C, H_l, W_l) of clip frames.
            samples (list[DetDataSample]): B_u clip frames.

        Returns:
            Tensor: the mean loss over clips (0 with the graph kept when no
            clip has instances in two frames).
        """
        outs = self.head(x)
        pseudo = self.pseudo_instances(outs, samples)
        mlvl_embeds = outs[-1]
        clips: Dict[int, List[Tuple[int, Tensor]]] = {}
        for i, (sample, inst) in enumerate(zip(samples, pseudo)):
            emb = self.head.pool_embeddings([e[i] for e in mlvl_embeds],
                                            inst.masks.bool(),
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
            samples = self.detector.predict(inputs, data_samples, rescale)
            for i, sample in enumerate(samples):
                self.relabel(inputs[i:i + 1], sample.pred_instances,
                             sample.metainfo)
            return samples
        if inputs.dim() != 5 or inputs.shape[0] != 1:
            raise ValueError('SOLOTrack.predict takes (B, C, H, W) images or '
                             f'one (1, T, C, H, W) video, got {inputs.shape}')
        if self.tracker is None:
            raise RuntimeError('video inference needs a `tracker`')
        video = data_samples[0]
        for t in range(len(video)):
            frame = video[t]
            x = self.detector.extract_feat(inputs[:, t].contiguous())
            outs = self.head(x)
            frame.pred_instances = self.head.predict_by_feat(
                *outs, batch_img_metas=[frame.metainfo], rescale=rescale)[0]
            self.relabel(inputs[:, t], frame.pred_instances, frame.metainfo)
            first = frame.metainfo.get('frame_id', t) == 0
            if self.with_gt_embeddings and 'gt_instances' in frame:
                self._add_gt_embeddings(frame, outs[-1])
                self._track_oracle(frame, t, first)
            if first:
                self.tracker.reset()
            frame.pred_track_instances = self.tracker.track(frame)
        return [video]

    def relabel(self, image: Tensor, pred: InstanceData,
                img_meta: dict) -> InstanceData:
        """Labels (and scores) of one image's predictions from ``cls_head``.

        Args:
            image (Tensor): (1, C, H, W) the normalised network input.
            pred (InstanceData): ``masks`` (N, h, w), ``scores``, ``labels``;
                changed in place: ``labels`` become the classifier's argmax,
                ``scores`` are fused by ``cls_score``; ``cls_probs`` (N, C),
                ``det_scores`` and ``det_labels`` (the segmenter's own) are
                added.
            img_meta (dict): with ``img_shape``.

        Returns:
            InstanceData: ``pred``.
        """
        if self.cls_head is None or 'masks' not in pred:
            return pred
        masks = pred.masks.bool()
        img_h, img_w = img_meta['img_shape'][:2]
        scale = (img_h / masks.shape[-2], img_w / masks.shape[-1])
        probs = self.cls_head.predict(
            image, masks, masks.new_zeros(len(masks), dtype=torch.long),
            scale)
        top, labels = probs.max(dim=1) if len(probs) else (
            pred.scores.new_zeros(0), pred.labels.new_zeros(0))
        pred.det_scores = pred.scores
        pred.det_labels = pred.labels
        pred.cls_probs = probs
        pred.labels = labels.to(pred.labels)
        if self.cls_score == 'geometric':
            pred.scores = (pred.scores * top.to(pred.scores)).sqrt()
        elif self.cls_score == 'product':
            pred.scores = pred.scores * top.to(pred.scores)
        return pred

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
        gt.embeddings = self.head.pool_embeddings(
            [e[0] for e in mlvl_embeds], masks.bool(), frame.metainfo)
