# default_runtime.py for video instance segmentation: mmdet's track
# visualizer (TrackVisualizationHook draws nothing unless asked,
# e.g. `tools/test.py ... --show-dir`).
#
# Frequently modified parameters: default_hooks.visualization (draw, score_thr)
_base_ = './default_runtime.py'

default_hooks = dict(
    visualization=dict(type='mmdet.TrackVisualizationHook', draw=False))
visualizer = dict(
    type='mmdet.TrackLocalVisualizer',
    vis_backends=[dict(type='LocalVisBackend')],
    name='visualizer')
