# The image training set of the paper-scale YouTube-VIS 2021 configs: COCO
# relabelled with the 2021 classes plus the YouTube-VIS 2021 training frames,
# as independent still images: ytvis_image_mix_2019.py with the 2021 classes,
# data root and files.
#
# Frequently modified parameters: train_dataloader.dataset.datasets
_base_ = './ytvis_image_mix_2019.py'

dataset_version = '2021'
data_root = 'data/youtube_vis_2021/'
coco_ytvis_train = dict(ytvis_version=dataset_version)
ytvis_frames_train = dict(
    data_root=data_root, ann_file='annotations/youtube_vis_2021_train.json')
train_dataloader = dict(
    dataset=dict(datasets=[
        dict(_base_.coco_ytvis_train, **coco_ytvis_train),
        dict(_base_.ytvis_frames_train, **ytvis_frames_train)
    ]))

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
