# EmbedPose tiny: mmpose's YOLOX-Pose (CSPDarknet + YOLOX-PAFPN + YOLOX-Pose
# head) at 1/8 width, plus the embedding head on the neck's three levels
# trained with the paper's image-level losses at the pose head's positive
# priors, plus the pose embedding tracker. Sized for a 2-core CPU.
#
# Frequently modified parameters:
#   widen_factor / deepen_factor   (model size)
#   model.track_head.loss_*        (embedding loss weights, temperature tau)
#   model.tracker                  (association thresholds, box IoU weight)
widen_factor = 0.125
deepen_factor = 0.33
neck_channels = 32
metainfo = 'configs/_base_/datasets/posetrack18.py'  # in mmpose's .mim

model = dict(
    type='EmbedPoseTrack',
    data_preprocessor=dict(
        type='mmpose.PoseDataPreprocessor',
        pad_size_divisor=32,
        mean=[0, 0, 0],
        std=[1, 1, 1]),
    backbone=dict(
        type='mmpose.CSPDarknet',
        deepen_factor=deepen_factor,
        widen_factor=widen_factor,
        out_indices=(2, 3, 4),
        spp_kernal_sizes=(5, 9, 13),
        norm_cfg=dict(type='BN', momentum=0.03, eps=0.001),
        act_cfg=dict(type='Swish')),
    neck=dict(
        type='mmpose.YOLOXPAFPN',
        in_channels=[32, 64, 128],  # CSPDarknet [256, 512, 1024] x widen
        out_channels=neck_channels,
        num_csp_blocks=1,
        use_depthwise=False,
        upsample_cfg=dict(scale_factor=2, mode='nearest'),
        norm_cfg=dict(type='BN', momentum=0.03, eps=0.001),
        act_cfg=dict(type='Swish')),
    # mmpose's YOLOXPoseHead; its sub-modules are built in mmpose's scope
    head=dict(
        type='YOLOXPoseAssignHead',
        num_keypoints=17,
        featmap_strides=(8, 16, 32),
        head_module_cfg=dict(
            num_classes=1,
            in_channels=256,  # x widen_factor = neck_channels
            feat_channels=256,
            widen_factor=widen_factor,
            stacked_convs=2,
            norm_cfg=dict(type='BN', momentum=0.03, eps=0.001),
            act_cfg=dict(type='Swish')),
        prior_generator=dict(
            type='MlvlPointGenerator', offset=0, strides=[8, 16, 32]),
        assigner=dict(type='SimOTAAssigner', dynamic_k_indicator='oks',
                      oks_calculator=dict(type='PoseOKS', metainfo=metainfo)),
        overlaps_power=0.5,
        loss_cls=dict(type='BCELoss', reduction='sum', loss_weight=1.0),
        loss_bbox=dict(
            type='IoULoss',
            mode='square',
            eps=1e-16,
            reduction='sum',
            loss_weight=5.0),
        loss_obj=dict(
            type='BCELoss',
            use_target_weight=True,
            reduction='sum',
            loss_weight=1.0),
        loss_oks=dict(
            type='OKSLoss',
            reduction='none',
            metainfo=metainfo,
            norm_target_weight=True,
            loss_weight=30.0),
        loss_vis=dict(
            type='BCELoss',
            use_target_weight=True,
            reduction='mean',
            loss_weight=1.0),
        loss_bbox_aux=dict(type='L1Loss', reduction='sum', loss_weight=1.0)),
    track_head=dict(
        type='PoseEmbedHead',
        in_channels=neck_channels,
        feat_channels=64,
        stacked_convs=2,
        embed_dims=64,
        featmap_strides=(8, 16, 32),
        center_radius=2.5,
        max_samples_per_instance=16,
        loss_instance=dict(
            type='InstanceContrastiveLoss', temperature=0.1, loss_weight=1.0),
        loss_center=dict(
            type='CenterContrastiveLoss', temperature=0.1, loss_weight=1.0),
        loss_entropy=dict(
            type='MaxEntropyLoss', temperature=0.1, loss_weight=0.5)),
    tracker=dict(
        type='PoseEmbeddingTracker',
        # low: after the short CPU schedules the person scores stay small
        det_score_thr=0.05,
        init_score_thr=0.1,
        match_thr=0.5,
        embed_weight=1.0,
        iou_weight=0.0,
        momentum=0.5,
        num_frames_retain=10),
    test_cfg=dict(score_thr=0.01, nms_thr=0.65))
