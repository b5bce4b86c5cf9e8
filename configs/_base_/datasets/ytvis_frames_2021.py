# YouTube-VIS 2021 training frames as independent still images (identities
# never loaded), tested on the 2021 valid videos. As ytvis_frames_2019.py.
#
# Frequently modified parameters: frame_interval
_base_ = './youtube_vis_2021.py'

frame_interval = 5
ytvis_frames_train = dict(
    type='VideoFrameDataset',
    data_root='data/youtube_vis_2021/',
    ann_file='annotations/youtube_vis_2021_train.json',
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
