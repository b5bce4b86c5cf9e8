# SynthVIS for video instance segmentation: trains on `train` frames as
# independent still images (from synthvis_frames.py, identities dropped) and
# evaluates by tracking the `val` videos (YouTube-VIS protocol): one dataset
# item is a whole video, segmented and tracked frame by frame.
# Generate the data first:
#   python -m mmsolotrack.datasets.synthvis --out data/synthvis --seed 0
_base_ = './synthvis_frames.py'

synthvis_classes = ('circle', 'square', 'triangle', 'star', 'cross')
video_data_root = 'data/synthvis/'
video_img_scale = (256, 160)  # (w, h)

video_test_pipeline = [
    dict(
        type='mmdet.TransformBroadcaster',
        transforms=[
            dict(type='mmdet.LoadImageFromFile'),
            dict(type='mmdet.Resize', scale=video_img_scale, keep_ratio=True),
            dict(type='mmdet.LoadTrackAnnotations', with_mask=True),
        ]),
    dict(type='mmdet.PackTrackInputs')
]
val_dataloader = dict(
    batch_size=1,
    num_workers=0,
    persistent_workers=False,
    drop_last=False,
    sampler=dict(type='DefaultSampler', shuffle=False, round_up=False),
    dataset=dict(
        _delete_=True,
        # mmdet's YouTubeVISDataset, its json checked first (a record
        # without bbox / segmentation / file_name... is named)
        type='CheckedYouTubeVISDataset',
        dataset_version='2019',
        metainfo=dict(classes=synthvis_classes),
        data_root=video_data_root,
        ann_file='annotations/synthvis_val.json',
        data_prefix=dict(img_path='val/JPEGImages'),
        test_mode=True,
        pipeline=video_test_pipeline))
test_dataloader = val_dataloader

# YouTube-VIS AP/AR (also class-agnostic: segm_agnostic_*), the embedding
# diagnostic (embeddings pooled in the
# ground-truth masks: needs model.with_gt_embeddings=True), ID switches, and
# the decomposition: per-frame AP / recall / label accuracy / scores of the
# segmenter alone (frame/*) and tracking AP with ground-truth masks and
# labels but the model's embeddings and tracker (oracle_assoc/*: association
# alone)
val_evaluator = [
    dict(
        type='YouTubeVISMetric',
        metric='segm',
        outfile_prefix='work_dirs/synthvis_val_results/results',
        format_only=False,
        class_agnostic=True),
    dict(type='EmbeddingDiagnosticMetric'),
    dict(type='IDSwitchMetric'),
    dict(type='FrameSegmMetric'),
    dict(type='OracleAssociationMetric'),
]
test_evaluator = val_evaluator
