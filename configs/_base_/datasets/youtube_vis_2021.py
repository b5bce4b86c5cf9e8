# YouTube-VIS 2021, video level: as youtube_vis_2019.py (same test and
# training scales) with the 2021 data root, classes and files.
#
# Convert the official json first:
#   python tools/dataset_converters/youtubevis2coco.py \
#       --dataset-root data/youtube_vis_2021 --version 2021
#
# Frequently modified parameters: data_root
_base_ = './youtube_vis_2019.py'

dataset_version = '2021'
data_root = 'data/youtube_vis_2021/'

val_dataloader = dict(
    dataset=dict(
        dataset_version=dataset_version,
        data_root=data_root,
        ann_file='annotations/youtube_vis_2021_valid.json'))
test_dataloader = val_dataloader

val_evaluator = dict(
    outfile_prefix='work_dirs/youtube_vis_2021/valid/results')
test_evaluator = val_evaluator
