# The MaskTrack R-CNN reference of
# ./masktrack-rcnn_r18-tiny_fpn_1xb4-2400i_synthvis.py
# with a cosine match head: mmsolotrack.CosineRoIEmbedHead embeds with a
# linear last fc layer, L2-normalised, so the match logits are
# cos / temperature instead of the dot product of ReLU features (trained
# from scratch, the stock head's match accuracy falls to 20-50%; see the
# head's docstring). Everything else as the stock reference.
_base_ = './masktrack-rcnn_r18-tiny_fpn_1xb4-2400i_synthvis.py'
custom_imports = dict(imports=[
    'mmsolotrack.evaluation', 'mmsolotrack.engine', 'mmsolotrack.models'
])
model = dict(
    track_head=dict(
        embed_head=dict(
            type='mmsolotrack.CosineRoIEmbedHead', temperature=0.1)))
