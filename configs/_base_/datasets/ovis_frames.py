# OVIS training frames as independent still images (VideoFrameDataset:
# identities never loaded), tested on the OVIS valid videos (ovis.py).
#
# Frequently modified parameters: frame_interval
_base_ = './ovis.py'

frame_interval = 5
ovis_frames_train = dict(
    type='VideoFrameDataset',
    metainfo=dict(classes=_base_.ovis_classes),
    data_root='data/ovis/',
    ann_file='annotations/ovis_train.json',
    data_prefix=dict(img='train/'),
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
    dataset=ovis_frames_train)
