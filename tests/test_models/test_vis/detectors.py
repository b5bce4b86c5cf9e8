# Copyright (c) mmsolotrack contributors. All rights reserved.
"""Tiny stock mmdet instance segmenters (configs as mmdet writes them, the
types scope-prefixed) and a SOLOTrack around each, for 128 x 160 inputs.

Shape shorthand: C FPN channels.
"""
import copy

C = 32
GN = dict(type='GN', num_groups=8, requires_grad=True)
# the tiny SynthVIS config's levels
SOLO_RANGES = ((1, 32), (16, 64), (32, 128), (64, 256), (128, 2048))
RTMDET_RANGES = ((1, 64), (32, 128), (64, 2048))

RESNET = dict(
    type='mmdet.ResNet',
    depth=18,
    base_channels=8,
    num_stages=4,
    out_indices=(0, 1, 2, 3),
    frozen_stages=-1,
    norm_cfg=dict(type='BN', requires_grad=True),
    norm_eval=False,
    style='pytorch')
FPN = dict(
    type='mmdet.FPN',
    in_channels=[8, 16, 32, 64],
    out_channels=C,
    start_level=0,
    num_outs=5)
SOLO_TEST_CFG = dict(
    nms_pre=40,
    score_thr=0.1,
    mask_thr=0.5,
    filter_thr=0.05,
    kernel='gaussian',
    sigma=2.0,
    max_per_img=8)


def _solo_head(kind, num_classes):
    head = dict(
        type=f'mmdet.{kind}',
        num_classes=num_classes,
        in_channels=C,
        feat_channels=C,
        stacked_convs=2,
        strides=[8, 8, 16, 32, 32],
        scale_ranges=SOLO_RANGES,
        pos_scale=0.2,
        num_grids=[24, 20, 16, 12, 8],
        cls_down_index=0,
        loss_mask=dict(
            type='mmdet.DiceLoss', use_sigmoid=True, loss_weight=3.0),
        loss_cls=dict(
            type='mmdet.FocalLoss',
            use_sigmoid=True,
            gamma=2.0,
            alpha=0.25,
            loss_weight=1.0),
        norm_cfg=GN)
    if kind == 'SOLOV2Head':
        head['mask_feature_head'] = dict(
            feat_channels=16,
            start_level=0,
            end_level=3,
            out_channels=C,
            mask_stride=4,
            norm_cfg=GN)
    return head


def solo_detector(kind='SOLOV2Head', num_classes=5):
    """mmdet's SOLOv2 (``SOLOV2Head``), SOLO (``SOLOHead``) or Decoupled
    SOLO (``mmdet.SOLO`` with ``DecoupledSOLOHead``, as mmdet configures
    it: mmdet has no ``DecoupledSOLO`` detector class)."""
    return dict(
        type='mmdet.SOLOv2' if kind == 'SOLOV2Head' else 'mmdet.SOLO',
        backbone=copy.deepcopy(RESNET),
        neck=copy.deepcopy(FPN),
        mask_head=_solo_head(kind, num_classes),
        test_cfg=copy.deepcopy(SOLO_TEST_CFG))


def rtmdet_ins_detector(num_classes=5):
    """mmdet's RTMDet-Ins (rtmdet-ins_*.py) at a tiny width."""
    act = dict(type='SiLU', inplace=True)
    bn = dict(type='BN')
    return dict(
        type='mmdet.RTMDet',
        backbone=dict(
            type='mmdet.CSPNeXt',
            arch='P5',
            expand_ratio=0.5,
            deepen_factor=0.167,
            widen_factor=0.125,
            channel_attention=True,
            norm_cfg=bn,
            act_cfg=act),
        neck=dict(
            type='mmdet.CSPNeXtPAFPN',
            in_channels=[32, 64, 128],
            out_channels=C,
            num_csp_blocks=1,
            expand_ratio=0.5,
            norm_cfg=bn,
            act_cfg=act),
        bbox_head=dict(
            type='mmdet.RTMDetInsSepBNHead',
            num_classes=num_classes,
            in_channels=C,
            stacked_convs=1,
            share_conv=True,
            pred_kernel_size=1,
            feat_channels=C,
            act_cfg=act,
            norm_cfg=bn,
            anchor_generator=dict(
                type='mmdet.MlvlPointGenerator', offset=0,
                strides=[8, 16, 32]),
            bbox_coder=dict(type='mmdet.DistancePointBBoxCoder'),
            loss_cls=dict(
                type='mmdet.QualityFocalLoss',
                use_sigmoid=True,
                beta=2.0,
                loss_weight=1.0),
            loss_bbox=dict(type='mmdet.GIoULoss', loss_weight=2.0),
            loss_centerness=dict(  # unused by RTMDet, built by its parent
                type='mmdet.CrossEntropyLoss', use_sigmoid=True),
            loss_mask=dict(
                type='mmdet.DiceLoss', loss_weight=2.0, eps=5e-6,
                reduction='mean')),
        train_cfg=dict(
            assigner=dict(
                type='mmdet.DynamicSoftLabelAssigner',
                topk=13,
                iou_calculator=dict(type='mmdet.BboxOverlaps2D')),
            allowed_border=-1,
            pos_weight=-1,
            debug=False),
        test_cfg=dict(
            nms_pre=100,
            min_bbox_size=0,
            score_thr=0.05,
            nms=dict(type='nms', iou_threshold=0.6),
            max_per_img=8,
            mask_thr_binary=0.5))


DETECTORS = {
    'SOLOv2': lambda: solo_detector('SOLOV2Head'),
    'SOLO': lambda: solo_detector('SOLOHead'),
    'DecoupledSOLO': lambda: solo_detector('DecoupledSOLOHead'),
    'RTMDet-Ins': rtmdet_ins_detector,
}


def solotrack_cfg(detector: dict) -> dict:
    """SOLOTrack around ``detector``: the track head on its FPN levels (SOLO's
    ranges for a SOLO detector, three ranges for RTMDet's three levels)."""
    solo = 'mask_head' in detector
    return dict(
        type='SOLOTrack',
        data_preprocessor=dict(
            type='SOLOTrackDataPreprocessor',
            mean=[123.675, 116.28, 103.53],
            std=[58.395, 57.12, 57.375],
            bgr_to_rgb=True,
            pad_mask=True,
            pad_size_divisor=32),
        detector=detector,
        track_head=dict(
            type='SOLOEmbedHead',
            in_channels=C,
            feat_channels=C,
            stacked_convs=2,
            norm_cfg=GN,
            scale_ranges=SOLO_RANGES if solo else RTMDET_RANGES,
            resize_feats=solo,
            embed_dims=16,
            embed_grid=12),
        tracker=dict(
            type='EmbeddingTracker',
            det_score_thr=0.0,
            init_score_thr=0.0,
            match_thr=0.3,
            num_frames_retain=5))
