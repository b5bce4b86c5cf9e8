# The fully supervised reference of the SynthVIS benchmark: mmdet's MaskTrack
# R-CNN trained WITH the identity annotations of the SynthVIS `train` videos
# (the very videos whose frames SOLOTrack sees without identities), at the
# same input size and a comparably small backbone (ResNet-18, 16 base
# channels, 64-channel FPN). Everything but the sizes and the data comes from
# mmdet's own MaskTrack R-CNN config.
#
# Frequently modified parameters:
#   train_cfg.max_epochs, train_dataloader.batch_size, data_root
_base_ = ('mmdet::masktrack_rcnn/'
          'masktrack-rcnn_mask-rcnn_r50_fpn_8xb1-12e_youtubevis2019.py')
custom_imports = dict(
    imports=['mmsolotrack.evaluation', 'mmsolotrack.engine'])
# the same progress bar over the test videos as the SOLOTrack configs
custom_hooks = [dict(type='mmsolotrack.EvalProgressHook')]

synthvis_classes = ('circle', 'square', 'triangle', 'star', 'cross')
data_root = 'data/synthvis/'
img_scale = (256, 160)
channels = 64

model = dict(
    detector=dict(
        init_cfg=None,
        backbone=dict(
            depth=18,
            base_channels=16,
            frozen_stages=-1,
            norm_eval=False,
            init_cfg=None),
        neck=dict(in_channels=[16, 32, 64, 128], out_channels=channels),
        rpn_head=dict(in_channels=channels, feat_channels=channels),
        roi_head=dict(
            bbox_roi_extractor=dict(out_channels=channels),
            bbox_head=dict(
                in_channels=channels, fc_out_channels=256, num_classes=5),
            mask_roi_extractor=dict(out_channels=channels),
            mask_head=dict(
                in_channels=channels, conv_out_channels=channels,
                num_classes=5))),
    track_head=dict(
        roi_extractor=dict(out_channels=channels),
        embed_head=dict(in_channels=channels, fc_out_channels=256)))

train_pipeline = [
    dict(
        type='UniformRefFrameSample',
        num_ref_imgs=1,
        frame_range=100,
        filter_key_img=True),
    dict(
        type='TransformBroadcaster',
        share_random_params=True,
        transforms=[
            dict(type='LoadImageFromFile'),
            dict(type='LoadTrackAnnotations', with_mask=True),
            dict(type='Resize', scale=img_scale, keep_ratio=True),
            dict(type='RandomFlip', prob=0.5),
        ]),
    dict(type='PackTrackInputs')
]
test_pipeline = [
    dict(
        type='TransformBroadcaster',
        transforms=[
            dict(type='LoadImageFromFile'),
            dict(type='Resize', scale=img_scale, keep_ratio=True),
            dict(type='LoadTrackAnnotations', with_mask=True),
        ]),
    dict(type='PackTrackInputs')
]
train_dataloader = dict(
    batch_size=4,
    num_workers=0,
    persistent_workers=False,
    dataset=dict(
        # mmdet's YouTubeVISDataset, its json checked first
        type='mmsolotrack.CheckedYouTubeVISDataset',
        data_root=data_root,
        metainfo=dict(classes=synthvis_classes),
        ann_file='annotations/synthvis_train.json',
        data_prefix=dict(img_path='train/JPEGImages'),
        pipeline=train_pipeline))
val_dataloader = dict(
    num_workers=0,
    persistent_workers=False,
    dataset=dict(
        type='mmsolotrack.CheckedYouTubeVISDataset',
        data_root=data_root,
        metainfo=dict(classes=synthvis_classes),
        ann_file='annotations/synthvis_val.json',
        data_prefix=dict(img_path='val/JPEGImages'),
        pipeline=test_pipeline))
test_dataloader = val_dataloader
# YouTube-VIS AP/AR (also class-agnostic) and, as for SOLOTrack, the
# per-frame AP of the detector alone (frame/*: its pred_instances before the
# tracker)
val_evaluator = [
    dict(
        type='mmsolotrack.YouTubeVISMetric',
        metric='segm',
        outfile_prefix='work_dirs/masktrack_synthvis_val_results/results',
        format_only=False,
        class_agnostic=True),
    dict(type='mmsolotrack.FrameSegmMetric'),
]
test_evaluator = val_evaluator

# Trained from scratch, so mmdet's Mask R-CNN rate (0.02 at 16 images per
# batch) scaled linearly to 4 images: 0.005. (mmdet's MaskTrack config uses
# 0.00125 at 8 images because it fine-tunes a COCO-trained detector.)
# SOLOTrack's tiny configs keep 0.02 at 4 images, but the RoI mask head does
# not survive it here: at 0.02 its mask loss spikes (3.96 in epoch 2) and
# then sits at ln 2 (masks fill the box); at 0.005 it falls every epoch.
optim_wrapper = dict(optimizer=dict(lr=0.005))
param_scheduler = [
    dict(type='LinearLR', start_factor=0.1, by_epoch=False, begin=0, end=50),
    dict(
        type='MultiStepLR',
        begin=0,
        end=24,
        by_epoch=True,
        milestones=[18, 22],
        gamma=0.1)
]
train_cfg = dict(max_epochs=24, val_begin=25)
default_hooks = dict(
    logger=dict(interval=10),
    # as in mmsolotrack's default_runtime.py: a resumed run ends like the
    # uninterrupted one
    random_state=dict(type='mmsolotrack.RandomStateHook'))
