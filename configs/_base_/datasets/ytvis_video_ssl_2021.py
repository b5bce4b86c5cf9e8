# Image + video self-supervision on YouTube-VIS 2021: still images of
# ytvis_image_mix_2021.py plus clips of the 2021 training videos read as an
# unlabelled frame-folder tree (json ignored). As ytvis_video_ssl_2019.py.
#
# Frequently modified parameters:
#   source_ratio / train_batch_size, clip_mode / max_gap
_base_ = './ytvis_image_mix_2021.py'

train_batch_size = 3
source_ratio = [2, 1]  # per GPU: 2 still images + 1 clip (2 frames)
clip_mode = 'pair'
max_gap = 10  # stored frames (every 5th video frame)

video_train_pipeline = [
    dict(
        type='mmdet.TransformBroadcaster',
        share_random_params=True,
        transforms=[
            dict(
                type='mmdet.RandomChoiceResize',
                scales=_base_.train_scales,
                resize_type='mmdet.Resize',
                keep_ratio=True),
            dict(type='mmdet.RandomFlip', prob=0.5),
        ]),
    dict(
        type='mmdet.TransformBroadcaster',
        share_random_params=False,
        transforms=[dict(type='mmdet.PhotoMetricDistortion')]),
    dict(type='mmdet.PackTrackInputs')
]
unlabeled_video_train = dict(
    type='UnlabeledVideoDataset',
    data_root='data/youtube_vis_2021/',
    data_prefix=dict(img_path='train/JPEGImages/'),
    clip_mode=clip_mode,
    max_gap=max_gap,
    pipeline=video_train_pipeline,
    backend_args=_base_.backend_args)

train_dataloader = dict(
    batch_size=train_batch_size,
    sampler=dict(
        _delete_=True,
        type='mmdet.MultiSourceSampler',
        batch_size=train_batch_size,
        source_ratio=source_ratio),
    batch_sampler=None,
    dataset=dict(
        _delete_=True,
        type='ConcatDataset',
        datasets=[_base_.train_dataloader.dataset, unlabeled_video_train],
        ignore_keys=['classes']))
