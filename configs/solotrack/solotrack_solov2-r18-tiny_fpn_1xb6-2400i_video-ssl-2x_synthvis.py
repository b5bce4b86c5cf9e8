# SOLOTrack, image + video self-supervision, on the quickstart recipe: the
# model of solotrack_solov2-r18-tiny_fpn_1xb4-2400i_synthvis.py (one-class
# SOLOv2 + crop classifier + embedding head, every frame upsampled 2x, no
# second views, its tracker) plus the cycle-consistency loss on unlabelled
# SynthVIS clips. Each batch: the quickstart's 4 labelled `train` frames as
# still images + 2 `unlabeled` frame pairs, for 2400 iterations (AdamW). The
# benchmark ((b) of tools/analysis_tools/benchmark_synthvis.py) trains the
# first half without clips, as the image-only model, and resumes here.
#
# Frequently modified parameters:
#   model.loss_cycle          (tau_v walk temperature, l_cyc weight)
#   model.pseudo_cfg          (s_min, N and N_min instances per frame)
#   train_dataloader.sampler.source_ratio  (images : clips per batch)
#   train_dataloader.dataset.datasets.1.{clip_mode,clip_len,max_gap}
_base_ = [
    '../_base_/models/solotrack_tiny_cls.py',
    '../_base_/datasets/synthvis_video_ssl_2x.py',
    '../_base_/schedules/schedule_tiny_adamw_2400i.py',
    '../_base_/video_runtime.py'
]
# as the quickstart config: the scale ranges follow the 2x input (the track
# head's embedding targets follow the mask head's), no second views, its
# tracker threshold
scale_ranges = ((1, 64), (32, 128), (64, 256), (128, 512), (256, 4096))
model = dict(
    detector=dict(mask_head=dict(scale_ranges=scale_ranges)),
    track_head=dict(scale_ranges=scale_ranges),
    view_aug=None,
    tracker=dict(match_thr=0.5),
    # a low walk temperature, as in correspondence learning
    loss_cycle=dict(
        type='CycleConsistencyLoss', temperature=0.05, loss_weight=1.0),
    # copies of one object dropped as the tracker drops them
    pseudo_cfg=dict(
        min_score=0.3, max_instances=10, min_instances=3, dedup_iou_thr=0.3))
default_hooks = dict(checkpoint=dict(by_epoch=False, interval=600))
log_processor = dict(by_epoch=False)
