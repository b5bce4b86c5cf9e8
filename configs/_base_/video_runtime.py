# default_runtime.py for video instance segmentation: mmdet's track
# visualizer (TrackVisualizationHook draws nothing unless asked,
# e.g. `tools/test.py ... --show-dir`).
#
# Frequently modified parameters: default_hooks.visualization (draw, score_thr),
#   inference_cfg (amp, channels_last)
_base_ = './default_runtime.py'

default_hooks = dict(
    visualization=dict(type='mmdet.TrackVisualizationHook', draw=False))
visualizer = dict(
    type='mmdet.TrackLocalVisualizer',
    vis_backends=[dict(type='LocalVisBackend')],
    name='visualizer')
# speed options of streamed inference (mmsolotrack.apis.VideoInferencer: the
# video demo, tools/analysis_tools/benchmark.py; not tools/test.py): amp
# 'bfloat16' runs the network's forwards under autocast (post-processing and
# tracker stay float32), channels_last the channels-last layout
inference_cfg = dict(amp=None, channels_last=False)
