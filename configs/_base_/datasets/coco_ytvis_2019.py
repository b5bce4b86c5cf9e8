# COCO train2017 relabelled with the YouTube-VIS 2019 classes
# (CocoYTVISDataset; table in docs/coco_to_ytvis.md): only COCO categories
# with a clear YouTube-VIS counterpart, images without one dropped. Trains on
# COCO alone, tests on the YouTube-VIS 2019 valid videos. Inherits
# ytvis_frames_2019.py so that ytvis_image_mix_2019.py can combine both
# training sets.
#
# Frequently modified parameters: coco_data_root
_base_ = './ytvis_frames_2019.py'

coco_data_root = 'data/coco/'
coco_ytvis_train = dict(
    type='CocoYTVISDataset',
    ytvis_version='2019',
    data_root=coco_data_root,
    ann_file='annotations/instances_train2017.json',
    data_prefix=dict(img='train2017/'),
    filter_cfg=dict(filter_empty_gt=True, min_size=32),
    pipeline=_base_.train_pipeline,
    backend_args=_base_.backend_args)

train_dataloader = dict(dataset=dict(_delete_=True, **coco_ytvis_train))
