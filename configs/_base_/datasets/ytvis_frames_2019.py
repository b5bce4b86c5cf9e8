# YouTube-VIS 2019 training frames as independent still images: every
# annotated frame is its own image, instance identities are never loaded
# (VideoFrameDataset), so no link between frames reaches the model.
# Tested on the valid videos (youtube_vis_2019.py).
#
# Frequently modified parameters:
#   frame_interval (keep every n-th annotated frame of a video; annotated
#   frames are already 5 video frames apart, and neighbours are near copies)
_base_ = './youtube_vis_2019.py'

frame_interval = 5
ytvis_frames_train = dict(
    type='VideoFrameDataset',
    data_root='data/youtube_vis_2019/',
    ann_file='annotations/youtube_vis_2019_train.json',
    data_prefix=dict(img='train/JPEGImages/'),
    frame_interval=frame_interval,
    filter_cfg=dict(filter_empty_gt=True, min_size=32),
    pipeline=_base_.train_pipeline,
    backend_args=_base_.backend_args)

train_dataloader = dict(
    batch_size=2,
    num_workers=2,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=True),
    batch_sampler=dict(type='mmdet.AspectRatioBatchSampler'),
    dataset=ytvis_frames_train)
