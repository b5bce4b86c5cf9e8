# SOLOTrack on the tiny SOLOv2: embedding head (D=64 on a 24 x 24 grid),
# image-level contrastive losses, embedding tracker.
_base_ = './solov2_tiny.py'

detector = _base_.model
detector.pop('data_preprocessor')
detector.mask_head.update(
    type='SOLOV2EmbedHead',
    embed_dims=64,
    embed_grid=24,
    max_samples_per_instance=16,
    loss_instance=dict(
        type='InstanceContrastiveLoss', temperature=0.1, loss_weight=1.0),
    loss_center=dict(
        type='CenterContrastiveLoss', temperature=0.1, loss_weight=1.0),
    loss_entropy=dict(type='MaxEntropyLoss', temperature=0.1,
                      loss_weight=0.5))

model = dict(
    _delete_=True,
    type='SOLOTrack',
    data_preprocessor=dict(
        type='SOLOTrackDataPreprocessor',
        mean=[123.675, 116.28, 103.53],
        std=[58.395, 57.12, 57.375],
        bgr_to_rgb=True,
        pad_mask=True,
        pad_size_divisor=32),
    detector=detector,
    # also pool embeddings in the ground-truth masks of test videos, for the
    # EmbeddingDiagnosticMetric
    with_gt_embeddings=True,
    tracker=dict(
        type='EmbeddingTracker',
        # the tiny model's scores are low: tuned on SynthVIS val
        det_score_thr=0.15,
        init_score_thr=0.25,
        dedup_iou_thr=0.7,
        match_thr=0.5,
        momentum=0.8,
        num_frames_retain=10))
