# SOLOTrack on the tiny SOLOv2: the stock mmdet SOLOv2 of ./solov2_tiny.py as
# the detector, an embedding track head beside it (D=64 on a 24 x 24 grid,
# the three image-level contrastive losses), the embedding tracker.
#
# Frequently modified parameters:
#   model.track_head.embed_dims / embed_grid, loss_* (weights, tau)
#   model.track_head.scale_ranges (keep them equal to
#       model.detector.mask_head.scale_ranges)
#   model.tracker (association thresholds)
_base_ = './solov2_tiny.py'

detector = _base_.model
detector.pop('data_preprocessor')

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
    # the embedding branch on the detector's FPN features, sized like its
    # category branch; targets by SOLO's rule with the mask head's ranges
    track_head=dict(
        type='SOLOEmbedHead',
        in_channels=64,
        feat_channels=64,
        stacked_convs=2,
        norm_cfg=dict(type='GN', num_groups=16, requires_grad=True),
        scale_ranges=detector.mask_head.scale_ranges,
        pos_scale=detector.mask_head.pos_scale,
        # D, grid G, M cells per instance
        embed_dims=64,
        embed_grid=24,
        max_samples_per_instance=16,
        # L_ins, L_cc, L_ent (DESIGN.md section 3), tau = 0.1
        loss_instance=dict(
            type='InstanceContrastiveLoss', temperature=0.1, loss_weight=1.0),
        loss_center=dict(
            type='CenterContrastiveLoss', temperature=0.1, loss_weight=1.0),
        loss_entropy=dict(
            type='MaxEntropyLoss', temperature=0.1, loss_weight=0.5)),
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
