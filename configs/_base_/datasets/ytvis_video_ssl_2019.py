# Image + video self-supervision on YouTube-VIS 2019: each batch mixes still
# images of ytvis_image_mix_2019.py (COCO relabelled + YouTube-VIS training
# frames, the image-level losses) with clips of the YouTube-VIS 2019 training
# videos read as an unlabelled frame-folder tree (train/JPEGImages; the json
# is ignored, no annotation is read), for the cycle-consistency loss over the
# model's own predictions. mmdet's MultiSourceSampler draws the ratio; it is
# infinite, so train with an IterBasedTrainLoop. Tested on the 2019 valid
# videos.
#
# Frequently modified parameters:
#   source_ratio / train_batch_size (keep sampler.batch_size equal to
#   train_dataloader.batch_size), clip_mode / max_gap
_base_ = './ytvis_image_mix_2019.py'

train_batch_size = 3
source_ratio = [2, 1]  # per GPU: 2 still images + 1 clip (2 frames)
# A clip: frames (t, t + gap), gap uniform in [1, max_gap] stored frames;
# YouTube-VIS stores every 5th video frame, so 10 spans up to 50 frames.
clip_mode = 'pair'
max_gap = 10

video_train_pipeline = [
    # one geometric draw per clip: all frames resized and flipped alike
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
    # photometric distortion drawn per frame
    dict(
        type='mmdet.TransformBroadcaster',
        share_random_params=False,
        transforms=[dict(type='mmdet.PhotoMetricDistortion')]),
    dict(type='mmdet.PackTrackInputs')
]
unlabeled_video_train = dict(
    type='UnlabeledVideoDataset',
    data_root='data/youtube_vis_2019/',
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
        # unlabelled clips carry no classes
        ignore_keys=['classes']))
