# YouTube-VIS 2019, video level: the valid videos are segmented and tracked
# frame by frame (one dataset item = one whole video, as mmdet's VIS test
# loop feeds it). Also holds the still-image training pipeline at the
# YouTube-VIS scale, shared by the image data configs that inherit this file.
#
# Convert the official json first (CocoVID layout for mmdet's dataset):
#   python tools/dataset_converters/youtubevis2coco.py \
#       --dataset-root data/youtube_vis_2019 --version 2019
# The valid / test annotations are not public: the metric only writes
# results.json and the submission zip (format_only=True) for the server.
#
# Frequently modified parameters:
#   data_root, img_scale (test), train_scales (multi-scale training)
dataset_version = '2019'
data_root = 'data/youtube_vis_2019/'
backend_args = None
img_scale = (640, 360)  # (w, h): the usual YouTube-VIS test scale
# Multi-scale training, short side 320..480 (max long side 1333): the test
# scale 360 lies inside the range, for COCO images and video frames alike.
train_scales = [(1333, 320), (1333, 352), (1333, 384), (1333, 416),
                (1333, 448), (1333, 480)]

# still images (COCO, video frames): no identities are loaded or packed
train_pipeline = [
    # names a bad image; the dataset skips and counts it (VideoReadReportHook)
    dict(type='LoadCheckedImageFromFile', backend_args=backend_args),
    dict(type='mmdet.LoadAnnotations', with_bbox=True, with_mask=True),
    dict(
        type='mmdet.RandomChoiceResize',
        scales=train_scales,
        resize_type='mmdet.Resize',  # resizes boxes and masks too
        keep_ratio=True),
    dict(type='mmdet.RandomFlip', prob=0.5),
    dict(type='mmdet.PackDetInputs')
]
video_test_pipeline = [
    dict(
        type='mmdet.TransformBroadcaster',
        transforms=[
            dict(type='mmdet.LoadImageFromFile', backend_args=backend_args),
            dict(type='mmdet.Resize', scale=img_scale, keep_ratio=True),
            dict(type='mmdet.LoadTrackAnnotations', with_mask=True),
        ]),
    dict(type='mmdet.PackTrackInputs')
]

val_dataloader = dict(
    batch_size=1,
    num_workers=2,
    persistent_workers=True,
    drop_last=False,
    sampler=dict(type='DefaultSampler', shuffle=False, round_up=False),
    dataset=dict(
        # mmdet's YouTubeVISDataset, its json checked first (a record
        # without bbox / segmentation / file_name... is named)
        type='CheckedYouTubeVISDataset',
        dataset_version=dataset_version,
        data_root=data_root,
        ann_file='annotations/youtube_vis_2019_valid.json',
        data_prefix=dict(img_path='valid/JPEGImages'),
        test_mode=True,
        pipeline=video_test_pipeline,
        backend_args=backend_args))
# The test split works the same way: ann_file
# 'annotations/youtube_vis_2019_test.json', img_path 'test/JPEGImages'.
test_dataloader = val_dataloader

val_evaluator = dict(
    type='YouTubeVISMetric',
    metric='segm',
    outfile_prefix='work_dirs/youtube_vis_2019/valid/results',
    format_only=True)
test_evaluator = val_evaluator
