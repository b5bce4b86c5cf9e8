# SOLOTrack, image + video self-supervision: the image-only tiny config
# (solotrack_solov2-r18-tiny_fpn_1xb4-24e_synthvis.py: same model, same
# image losses) plus the cycle-consistency loss on unlabelled SynthVIS clips.
# Each batch: 4 labelled `train` frames as still images + 2 `unlabeled` frame
# pairs, for 720 iterations (about the image-only config's 12 epochs of the
# 240 SynthVIS train frames at 4 images per batch). Sized for a 2-core CPU.
#
# Frequently modified parameters:
#   model.loss_cycle          (tau_v temperature, l_cyc weight)
#   model.pseudo_cfg          (s_min score threshold, N instances per frame)
#   train_dataloader.sampler.source_ratio  (images : clips per batch; keep
#       train_dataloader.batch_size == train_dataloader.sampler.batch_size)
#   train_dataloader.dataset.datasets.1.{clip_mode,clip_len,max_gap}
#   train_cfg.max_iters, param_scheduler   (schedule)
#   load_from                 start from an image-only checkpoint, e.g. the
#       work_dirs/<image-only config name>/epoch_12.pth of
#       solotrack_solov2-r18-tiny_fpn_1xb4-24e_synthvis.py
#     (then a shorter schedule is usually enough)
# Unlabelled video files instead of frame folders, e.g. ../shared/data/videos:
#   --cfg-options train_dataloader.dataset.datasets.1.data_prefix.img_path=DIR
#   (an absolute DIR is not joined to data_root)
_base_ = [
    '../_base_/models/solotrack_tiny.py',
    '../_base_/datasets/synthvis_video_ssl.py',
    '../_base_/schedules/schedule_tiny_24e.py', '../_base_/default_runtime.py'
]
model = dict(
    loss_cycle=dict(
        type='CycleConsistencyLoss', temperature=0.1, loss_weight=1.0),
    pseudo_cfg=dict(min_score=0.3, max_instances=10))

# MultiSourceSampler never ends an epoch: train by iterations.
max_iters = 720
train_cfg = dict(
    _delete_=True,
    type='IterBasedTrainLoop',
    max_iters=max_iters,
    val_interval=max_iters)
param_scheduler = [
    dict(type='LinearLR', start_factor=0.1, by_epoch=False, begin=0, end=50),
    dict(
        type='MultiStepLR',
        begin=0,
        end=max_iters,
        by_epoch=False,
        milestones=[540, 660],
        gamma=0.1)
]
default_hooks = dict(
    logger=dict(interval=10),
    checkpoint=dict(by_epoch=False, interval=240),
    visualization=dict(type='mmdet.TrackVisualizationHook', draw=False))
log_processor = dict(by_epoch=False)
custom_hooks = [
    dict(type='VideoReadReportHook', interval=240),
    dict(type='EvalProgressHook')
]
visualizer = dict(
    type='mmdet.TrackLocalVisualizer',
    vis_backends=[dict(type='LocalVisBackend')],
    name='visualizer')
load_from = None
