# EmbedPose at the paper's scale: mmpose's YOLOX-Pose-s (CSPDarknet-s +
# YOLOX-PAFPN + YOLOX-Pose head, its COCO recipe: 640 x 640, AdamW 4e-3,
# 300 epochs) + the embedding head, trained on COCO person keypoints
# (train2017) as still images, keypoints converted to PoseTrack's 17 slots
# (COCO's eyes have no PoseTrack slot; head_bottom / head_top stay
# unlabelled), tested by tracking PoseTrack 2018 val (per-video jsons).
# The official data are not downloaded here: this config builds; it has not
# been trained.
#
# Frequently modified parameters:
#   data_root, train_dataloader.batch_size
#   model.track_head.loss_*     (embedding loss weights, temperatures)
#   model.tracker               (association thresholds)
_base_ = [
    '../_base_/models/embedpose_yoloxpose_tiny.py',
    '../_base_/default_runtime.py'
]
widen_factor = 0.5
deepen_factor = 0.33
neck_channels = 128
input_size = (640, 640)
data_root = 'data/'

model = dict(
    backbone=dict(
        deepen_factor=deepen_factor,
        widen_factor=widen_factor,
        init_cfg=dict(
            type='Pretrained',
            prefix='backbone.',
            checkpoint='https://download.openmmlab.com/mmdetection/v2.0/'
            'yolox/yolox_s_8x8_300e_coco/yolox_s_8x8_300e_coco_'
            '20211121_095711-4592a793.pth')),
    neck=dict(in_channels=[128, 256, 512], out_channels=neck_channels),
    head=dict(head_module_cfg=dict(widen_factor=widen_factor)),
    track_head=dict(in_channels=neck_channels, feat_channels=128,
                    embed_dims=128))

# COCO -> PoseTrack 2018 keypoint slots (0-based): nose, ears, limbs
coco_to_posetrack = [(0, 0), (3, 3), (4, 4)] + [(i, i) for i in range(5, 17)]
codec = dict(type='mmpose.YOLOXPoseAnnotationProcessor', input_size=input_size)
train_pipeline = [
    dict(type='mmpose.LoadImage'),
    dict(
        type='mmpose.BottomupRandomAffine',
        input_size=input_size,
        shift_factor=0.1,
        rotate_factor=10,
        scale_factor=(0.75, 1.0),
        pad_val=114,
        distribution='uniform',
        transform_mode='perspective',
        bbox_keep_corner=False,
        clip_border=True),
    dict(type='mmpose.YOLOXHSVRandomAug'),
    dict(type='mmpose.RandomFlip'),  # COCO's flip pairs, before converting
    dict(type='mmpose.KeypointConverter', num_keypoints=17,
         mapping=coco_to_posetrack),
    dict(
        type='mmpose.FilterAnnotations',
        by_kpt=True,
        by_box=True,
        keep_empty=False),
    dict(type='mmpose.GenerateTarget', encoder=codec),
    dict(type='mmpose.PackPoseInputs')
]
test_pipeline = [
    dict(type='mmpose.LoadImage'),
    dict(
        type='mmpose.BottomupResize',
        input_size=input_size,
        pad_val=(114, 114, 114)),
    dict(
        type='mmpose.PackPoseInputs',
        meta_keys=('id', 'img_id', 'img_path', 'ori_shape', 'img_shape',
                   'input_size', 'input_center', 'input_scale', 'frame_idx'))
]
train_dataloader = dict(
    batch_size=32,
    num_workers=8,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=True),
    dataset=dict(
        type='mmpose.CocoDataset',
        data_root=data_root,
        data_mode='bottomup',
        filter_cfg=dict(filter_empty_gt=False, min_size=32),
        ann_file='coco/annotations/person_keypoints_train2017.json',
        data_prefix=dict(img='coco/train2017/'),
        pipeline=train_pipeline))
# one frame at a time, videos in order (the tracker follows them)
val_dataloader = dict(
    batch_size=1,
    num_workers=2,
    persistent_workers=True,
    drop_last=False,
    sampler=dict(type='DefaultSampler', shuffle=False, round_up=False),
    dataset=dict(
        type='PoseTrackImageDataset',
        data_root=data_root + 'posetrack18/',
        ann_file='annotations/val',
        data_prefix=dict(img=''),
        test_mode=True,
        pipeline=test_pipeline))
test_dataloader = val_dataloader
val_evaluator = dict(
    type='PoseTrackMetric',
    ann_file=data_root + 'posetrack18/annotations/val')
test_evaluator = val_evaluator

max_epochs = 300
train_cfg = dict(
    type='EpochBasedTrainLoop', max_epochs=max_epochs, val_interval=10)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')
optim_wrapper = dict(
    type='OptimWrapper',
    optimizer=dict(type='AdamW', lr=0.004, weight_decay=0.05),
    paramwise_cfg=dict(
        norm_decay_mult=0, bias_decay_mult=0, bypass_duplicate=True),
    clip_grad=dict(max_norm=0.1, norm_type=2))
param_scheduler = [
    dict(type='mmpose.QuadraticWarmupLR', by_epoch=True, begin=0, end=5,
         convert_to_iter_based=True),
    dict(type='CosineAnnealingLR', eta_min=0.0002, begin=5, T_max=280,
         end=280, by_epoch=True, convert_to_iter_based=True),
    dict(type='ConstantLR', by_epoch=True, factor=1, begin=280, end=300),
]
auto_scale_lr = dict(base_batch_size=256)
default_hooks = dict(
    checkpoint=dict(type='CheckpointHook', interval=10, max_keep_ckpts=3))
