# Image + video self-supervision on YouTube-VIS 2021: still images of
# ytvis_image_mix_2021.py plus clips of the 2021 training videos read as an
# unlabelled frame-folder tree (json ignored): ytvis_video_ssl_2019.py with
# the 2021 classes, data root and files.
#
# Frequently modified parameters (ytvis_video_ssl_2019.py):
#   source_ratio / train_batch_size, clip_mode / max_gap
_base_ = './ytvis_video_ssl_2019.py'

dataset_version = '2021'
data_root = 'data/youtube_vis_2021/'
coco_ytvis_train = dict(ytvis_version=dataset_version)
ytvis_frames_train = dict(
    data_root=data_root, ann_file='annotations/youtube_vis_2021_train.json')
unlabeled_video_train = dict(data_root=data_root)
train_dataloader = dict(
    dataset=dict(datasets=[
        dict(
            type='ConcatDataset',
            datasets=[
                dict(_base_.coco_ytvis_train, **coco_ytvis_train),
                dict(_base_.ytvis_frames_train, **ytvis_frames_train)
            ]),
        dict(_base_.unlabeled_video_train, **unlabeled_video_train)
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
