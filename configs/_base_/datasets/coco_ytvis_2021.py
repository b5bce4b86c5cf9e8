# COCO train2017 relabelled with the YouTube-VIS 2021 classes
# (CocoYTVISDataset; table in docs/coco_to_ytvis.md), tested on the
# YouTube-VIS 2021 valid videos: coco_ytvis_2019.py with the 2021 classes,
# data root and files.
#
# Frequently modified parameters: coco_data_root (coco_ytvis_2019.py)
_base_ = './coco_ytvis_2019.py'

dataset_version = '2021'
data_root = 'data/youtube_vis_2021/'
coco_ytvis_train = dict(ytvis_version=dataset_version)
ytvis_frames_train = dict(  # inherited from ytvis_frames_2019.py: 2021 too
    data_root=data_root, ann_file='annotations/youtube_vis_2021_train.json')
train_dataloader = dict(dataset=coco_ytvis_train)

# valid / test videos: as youtube_vis_2021.py
val_dataloader = dict(
    dataset=dict(
        dataset_version=dataset_version,
        data_root=data_root,
        ann_file='annotations/youtube_vis_2021_valid.json'))
test_dataloader = val_dataloader
val_evaluator = dict(
    outfile_prefix='work_dirs/youtube_vis_2021/valid/results')
test_evaluator = val_evaluator
