# SynthVIS for image + video self-supervised training: each batch mixes
# labelled `train` frames as independent still images (image-level losses)
# and clips of the `unlabeled` videos (no annotation; the cycle loss over the
# model's own predictions), at a fixed ratio through mmdet's
# MultiSourceSampler (an infinite sampler: use an IterBasedTrainLoop).
# Validation: tracking the `val` videos, as in synthvis_vis.py.
# Generate the data first:
#   python -m mmsolotrack.datasets.synthvis --out data/synthvis --seed 0
_base_ = './synthvis_vis.py'

# Per batch: labelled images : unlabelled clips. Keep `sampler.batch_size`
# equal to `train_dataloader.batch_size` when changing either. (These
# variables are read when this file is parsed: a config inheriting it
# overrides train_dataloader.* instead.)
train_batch_size = 6
source_ratio = [2, 1]  # 4 images + 2 clips (4 frames) per batch of 6
# A clip: a frame pair (t, t + gap), gap uniform in [1, max_gap] saved
# frames (SynthVIS saves every 5th simulated frame, like YouTube-VIS), or
# clip_mode='palindrome' with clip_len frames.
clip_mode = 'pair'
max_gap = 3
unlabeled_prefix = 'unlabeled/JPEGImages/'

video_train_pipeline = [
    # one geometric draw per clip: all frames resized and flipped alike
    dict(
        type='mmdet.TransformBroadcaster',
        share_random_params=True,
        transforms=[
            dict(type='mmdet.Resize', scale=_base_.img_scale, keep_ratio=True),
            dict(type='mmdet.RandomFlip', prob=0.5),
        ]),
    # photometric distortion drawn per frame
    dict(
        type='mmdet.TransformBroadcaster',
        share_random_params=False,
        transforms=[dict(type='mmdet.PhotoMetricDistortion')]),
    dict(type='mmdet.PackTrackInputs')
]

labeled_dataset = dict(
    type=_base_.dataset_type,
    data_root=_base_.data_root,
    metainfo=dict(classes=_base_.synthvis_classes),
    ann_file='annotations/synthvis_train.json',
    data_prefix=dict(img='train/JPEGImages/'),
    filter_cfg=dict(filter_empty_gt=True, min_size=4),
    pipeline=_base_.train_pipeline,
    backend_args=_base_.backend_args)
unlabeled_dataset = dict(
    type='UnlabeledVideoDataset',
    data_root=_base_.data_root,
    metainfo=dict(classes=_base_.synthvis_classes),
    data_prefix=dict(img_path=unlabeled_prefix),
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
        datasets=[labeled_dataset, unlabeled_dataset]))
