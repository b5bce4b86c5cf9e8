# SynthPose (python -m mmsolotrack.datasets.synthpose --out data/synthpose):
# `train` frames as independent still images (track ids never read) for the
# pose model, `val` videos frame by frame in order for tracking and the
# PoseTrack metric (mAP, MOTA).
#
# Frequently modified parameters: input_size, train_dataloader.batch_size
data_root = 'data/synthpose/'
input_size = (256, 192)  # (w, h), SynthPose's 256 x 192 frames
codec = dict(type='mmpose.YOLOXPoseAnnotationProcessor', input_size=input_size)

train_pipeline = [
    dict(type='mmpose.LoadImage'),
    dict(
        type='mmpose.BottomupRandomAffine',
        input_size=input_size,
        shift_factor=0.1,
        rotate_factor=10,
        scale_factor=(0.75, 1.25),
        pad_val=114,
        distribution='uniform',
        transform_mode='perspective',
        bbox_keep_corner=False,
        clip_border=True),
    dict(type='mmpose.YOLOXHSVRandomAug'),
    dict(type='mmpose.RandomFlip'),
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
    batch_size=8,
    num_workers=0,
    persistent_workers=False,
    sampler=dict(type='DefaultSampler', shuffle=True),
    # repeated: mmengine's iteration loop sleeps 2 s at every epoch end
    dataset=dict(
        type='RepeatDataset',
        times=20,
        dataset=dict(
            type='PoseTrackImageDataset',
            data_root=data_root,
            ann_file='annotations/train',
            data_prefix=dict(img=''),
            pipeline=train_pipeline)))
# batch size 1, in order: the tracker follows each video frame by frame
val_dataloader = dict(
    batch_size=1,
    num_workers=0,
    persistent_workers=False,
    drop_last=False,
    sampler=dict(type='DefaultSampler', shuffle=False, round_up=False),
    dataset=dict(
        type='PoseTrackImageDataset',
        data_root=data_root,
        ann_file='annotations/val',
        data_prefix=dict(img=''),
        test_mode=True,
        pipeline=test_pipeline))
test_dataloader = val_dataloader
val_evaluator = dict(type='PoseTrackMetric', ann_file=data_root + 'annotations/val')
test_evaluator = val_evaluator
