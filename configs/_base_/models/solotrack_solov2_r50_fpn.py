# SOLOTrack on SOLOv2-R50-FPN for YouTube-VIS: mmdet's SOLOv2 R50
# (configs/solov2/solov2_r50_fpn_1x_coco.py) with 40 classes as the detector
# (its model-zoo checkpoints load unchanged with detector.init_cfg=dict(
# type='Pretrained', checkpoint=...)), the embedding track head of the paper
# (D=128 on a 40 x 40 grid at every FPN level), the three image-level
# embedding losses and the online embedding tracker.
#
# Frequently modified parameters:
#   model.detector.mask_head.num_classes (40 for YouTube-VIS, 25 for OVIS)
#   model.track_head.embed_dims / embed_grid, loss_* (weights, tau)
#   model.tracker (association thresholds)
scale_ranges = ((1, 96), (48, 192), (96, 384), (192, 768), (384, 2048))
model = dict(
    type='SOLOTrack',
    data_preprocessor=dict(
        type='SOLOTrackDataPreprocessor',
        mean=[123.675, 116.28, 103.53],
        std=[58.395, 57.12, 57.375],
        bgr_to_rgb=True,
        pad_mask=True,
        pad_size_divisor=32),
    detector=dict(
        type='mmdet.SOLOv2',
        backbone=dict(
            type='mmdet.ResNet',
            depth=50,
            num_stages=4,
            out_indices=(0, 1, 2, 3),
            frozen_stages=1,
            init_cfg=dict(
                type='Pretrained', checkpoint='torchvision://resnet50'),
            style='pytorch'),
        neck=dict(
            type='mmdet.FPN',
            in_channels=[256, 512, 1024, 2048],
            out_channels=256,
            start_level=0,
            num_outs=5),
        mask_head=dict(
            type='mmdet.SOLOV2Head',
            num_classes=40,
            in_channels=256,
            feat_channels=512,
            stacked_convs=4,
            strides=[8, 8, 16, 32, 32],
            scale_ranges=scale_ranges,
            pos_scale=0.2,
            num_grids=[40, 36, 24, 16, 12],
            cls_down_index=0,
            mask_feature_head=dict(
                feat_channels=128,
                start_level=0,
                end_level=3,
                out_channels=256,
                mask_stride=4,
                norm_cfg=dict(type='GN', num_groups=32, requires_grad=True)),
            loss_mask=dict(
                type='mmdet.DiceLoss', use_sigmoid=True, loss_weight=3.0),
            loss_cls=dict(
                type='mmdet.FocalLoss',
                use_sigmoid=True,
                gamma=2.0,
                alpha=0.25,
                loss_weight=1.0)),
        test_cfg=dict(
            nms_pre=500,
            score_thr=0.1,
            mask_thr=0.5,
            filter_thr=0.05,
            kernel='gaussian',
            sigma=2.0,
            max_per_img=100)),
    # the embedding branch on the detector's FPN features, sized like its
    # category branch; targets by SOLO's rule with the mask head's ranges
    track_head=dict(
        type='SOLOEmbedHead',
        in_channels=256,
        feat_channels=512,
        stacked_convs=4,
        norm_cfg=dict(type='GN', num_groups=32, requires_grad=True),
        scale_ranges=scale_ranges,
        pos_scale=0.2,
        # D, grid G, M cells per instance
        embed_dims=128,
        embed_grid=40,
        max_samples_per_instance=16,
        # L_ins, L_cc, L_ent (DESIGN.md section 3), tau = 0.1
        loss_instance=dict(
            type='InstanceContrastiveLoss', temperature=0.1, loss_weight=1.0),
        loss_center=dict(
            type='CenterContrastiveLoss', temperature=0.1, loss_weight=1.0),
        loss_entropy=dict(
            type='MaxEntropyLoss', temperature=0.1, loss_weight=0.5)),
    tracker=dict(
        type='EmbeddingTracker',
        dedup_iou_thr=0.7,
        det_score_thr=0.3,
        init_score_thr=0.5,
        max_per_frame=20,
        match_thr=0.5,
        embed_weight=1.0,
        iou_weight=0.0,
        label_bonus=0.0,
        momentum=0.8,
        num_frames_retain=10))
