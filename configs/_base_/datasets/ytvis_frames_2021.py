# YouTube-VIS 2021 training frames as independent still images (identities
# never loaded), tested on the 2021 valid videos: ytvis_frames_2019.py with
# the 2021 data root, classes and files.
#
# Frequently modified parameters: frame_interval (ytvis_frames_2019.py)
_base_ = './ytvis_frames_2019.py'

dataset_version = '2021'
data_root = 'data/youtube_vis_2021/'
ytvis_frames_train = dict(
    data_root=data_root, ann_file='annotations/youtube_vis_2021_train.json')
train_dataloader = dict(dataset=ytvis_frames_train)

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
