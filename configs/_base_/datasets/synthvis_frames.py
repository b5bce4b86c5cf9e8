# SynthVIS frames as independent still images (identities dropped).
# Generate the data first:
#   python -m mmsolotrack.datasets.synthvis --out data/synthvis --seed 0
dataset_type = 'VideoFrameDataset'
data_root = 'data/synthvis/'
backend_args = None
img_scale = (256, 160)  # (w, h) of SynthVIS frames

train_pipeline = [
    # names a bad image; the dataset skips and counts it (VideoReadReportHook)
    dict(type='LoadCheckedImageFromFile', backend_args=backend_args),
    dict(
        type='mmdet.LoadAnnotations',
        with_bbox=True,
        with_mask=True),
    dict(type='mmdet.Resize', scale=img_scale, keep_ratio=True),
    dict(type='mmdet.RandomFlip', prob=0.5),
    dict(type='mmdet.PackDetInputs')
]
test_pipeline = [
    dict(type='mmdet.LoadImageFromFile', backend_args=backend_args),
    dict(type='mmdet.Resize', scale=img_scale, keep_ratio=True),
    dict(
        type='mmdet.LoadAnnotations',
        with_bbox=True,
        with_mask=True),
    dict(
        type='mmdet.PackDetInputs',
        meta_keys=('img_id', 'img_path', 'ori_shape', 'img_shape',
                   'scale_factor'))
]

train_dataloader = dict(
    batch_size=4,
    num_workers=0,
    persistent_workers=False,
    sampler=dict(type='DefaultSampler', shuffle=True),
    batch_sampler=dict(type='mmdet.AspectRatioBatchSampler'),
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        ann_file='annotations/synthvis_train.json',
        data_prefix=dict(img='train/JPEGImages/'),
        filter_cfg=dict(filter_empty_gt=True, min_size=4),
        pipeline=train_pipeline,
        backend_args=backend_args))
val_dataloader = dict(
    batch_size=1,
    num_workers=0,
    persistent_workers=False,
    drop_last=False,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        ann_file='annotations/synthvis_val.json',
        data_prefix=dict(img='val/JPEGImages/'),
        test_mode=True,
        pipeline=test_pipeline,
        backend_args=backend_args))
test_dataloader = val_dataloader

val_evaluator = dict(
    type='mmdet.CocoMetric',
    ann_file=data_root + 'annotations/synthvis_val.json',
    metric='segm',
    format_only=False,
    backend_args=backend_args)
test_evaluator = val_evaluator
