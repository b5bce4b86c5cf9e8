default_scope = 'mmsolotrack'

default_hooks = dict(
    timer=dict(type='IterTimerHook'),
    logger=dict(type='LoggerHook', interval=50),
    param_scheduler=dict(type='ParamSchedulerHook'),
    checkpoint=dict(type='CheckpointHook', interval=1, max_keep_ckpts=3),
    sampler_seed=dict(type='DistSamplerSeedHook'),
    visualization=dict(type='mmdet.DetVisualizationHook'),
    # stop at the first NaN/inf loss or weight; never save NaN weights
    finite_check=dict(type='FiniteCheckHook'),
    # random states saved in every checkpoint and restored on resume: a
    # resumed run ends bit-identical to the uninterrupted one
    random_state=dict(type='RandomStateHook'),
    # refuse a checkpoint that leaves > 10% of the model's keys unfilled
    # (another model's); `allow_partial=True` accepts a partial load
    checkpoint_check=dict(
        type='CheckpointCheckHook', max_mismatch=0.1, allow_partial=False))

env_cfg = dict(
    cudnn_benchmark=False,
    mp_cfg=dict(mp_start_method='fork', opencv_num_threads=0),
    dist_cfg=dict(backend='nccl'))

vis_backends = [dict(type='LocalVisBackend')]
visualizer = dict(
    type='mmdet.DetLocalVisualizer', vis_backends=vis_backends, name='visualizer')
log_processor = dict(type='LogProcessor', window_size=50, by_epoch=True)

log_level = 'INFO'
load_from = None
resume = False

# a progress bar over the val / test batches (videos in the VIS loops); the
# unreadable images / clips skipped in training, listed at each epoch end
custom_hooks = [
    dict(type='EvalProgressHook'),
    dict(type='VideoReadReportHook')
]
