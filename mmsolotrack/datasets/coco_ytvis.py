# Copyright (c) mmsolotrack contributors. All rights reserved.
"""COCO instance segmentation relabelled with the YouTube-VIS categories.

The paper trains its segmenter and embedding on still images; COCO supplies
most of them. Only COCO categories with a clear YouTube-VIS counterpart are
kept (same object, possibly another spelling); everything else is dropped,
so COCO never teaches a class the video frames contradict. The tables below
are the single source of ``docs/coco_to_ytvis.md`` (regenerate it with
``python -c "from mmsolotrack.datasets.coco_ytvis import *;
print(coco_ytvis_markdown(), end='')" > docs/coco_to_ytvis.md``; a test keeps
them in sync).
"""
import copy
from typing import Dict, List, Optional

from mmdet.datasets import CocoDataset
from mmengine.fileio import get_local_path

from mmsolotrack.registry import DATASETS
from .annotation_checks import CheckedCOCO
from .unreadable_images import SkipUnreadableImagesMixin
from .ytvis_classes import YTVIS_CLASSES

# COCO category name -> YouTube-VIS class name. Names that only differ in
# spelling are mapped; near misses are not (see COCO_YTVIS_NOTES).
_SHARED = {
    'person': 'person',
    'motorcycle': 'motorbike',
    'airplane': 'airplane',
    'train': 'train',
    'truck': 'truck',
    'boat': 'boat',
    'cat': 'cat',
    'dog': 'dog',
    'horse': 'horse',
    'cow': 'cow',
    'elephant': 'elephant',
    'bear': 'bear',
    'zebra': 'zebra',
    'giraffe': 'giraffe',
    'snowboard': 'snowboard',
    'skateboard': 'skateboard',
    'surfboard': 'surfboard',
    'tennis racket': 'tennis_racket',
}
COCO_TO_YTVIS_2019 = {**_SHARED, 'car': 'sedan'}
COCO_TO_YTVIS_2021 = {**_SHARED, 'car': 'car', 'frisbee': 'flying_disc'}

#: version -> {COCO name: YouTube-VIS name}
COCO_TO_YTVIS = {'2019': COCO_TO_YTVIS_2019, '2021': COCO_TO_YTVIS_2021}

#: Why a mapping is not the obvious one, or why a lookalike is left out.
COCO_YTVIS_NOTES = {
    'motorcycle': 'Same object; YouTube-VIS spells it `motorbike`.',
    'car': 'YouTube-VIS 2019 names its car class `sedan` (renamed `car` in '
    '2021); COCO `car` is the same passenger-car class.',
    'tennis racket': 'Spelling only.',
    'frisbee': '2021 only: `flying_disc`. 2019 has no such class.',
    'bicycle': 'Not mapped: a bicycle is not a `motorbike`.',
    'bus': 'Not mapped: YouTube-VIS has no bus class.',
    'bird': 'Not mapped: COCO `bird` is every species. 2019 has only '
    'species classes (`parrot`, `duck`, `owl`, `eagle`); 2021 has `bird` '
    'beside `duck` and `parrot`, so COCO ducks and parrots would be labelled '
    '`bird` against the video frames that label them `duck` / `parrot`.',
    'sheep': 'Not mapped: YouTube-VIS has no sheep class.',
    'skis': 'Not mapped: skis are not a `snowboard`.',
    'mouse': 'Not mapped: COCO `mouse` is the computer mouse (electronics '
    'supercategory); YouTube-VIS `mouse` is the animal.',
    'teddy bear': 'Not mapped: a toy, not a `bear`.',
}


def coco_ytvis_markdown() -> str:
    """The mapping as the markdown page ``docs/coco_to_ytvis.md``.

    Rows follow COCO's category order: every COCO category mapped in either
    version or carrying a note.

    Returns:
        str: The page, ending with a newline.
    """
    coco_names = CocoDataset.METAINFO['classes']
    lines = [
        '# COCO to YouTube-VIS categories', '',
        '`CocoYTVISDataset` (`mmsolotrack/datasets/coco_ytvis.py`) trains on '
        'COCO instance segmentation relabelled with the YouTube-VIS classes. '
        'Only COCO categories with a clear YouTube-VIS counterpart are kept; '
        'annotations of all other categories are dropped, and with '
        '`filter_cfg=dict(filter_empty_gt=True)` so are the images left '
        'without annotations. This page is generated from the tables in that '
        'file:', '', '```shell',
        'python -c "from mmsolotrack.datasets.coco_ytvis import *; '
        'print(coco_ytvis_markdown(), end=\'\')" > docs/coco_to_ytvis.md',
        '```', '',
        f'{len(COCO_TO_YTVIS_2019)} COCO categories map to YouTube-VIS 2019, '
        f'{len(COCO_TO_YTVIS_2021)} to YouTube-VIS 2021. A dash means not '
        'mapped.', '',
        '| COCO category | YouTube-VIS 2019 | YouTube-VIS 2021 | Note |',
        '|---|---|---|---|'
    ]
    for name in coco_names:
        row = [COCO_TO_YTVIS[v].get(name) for v in ('2019', '2021')]
        note = COCO_YTVIS_NOTES.get(name)
        if not any(row) and note is None:
            continue
        cells = [f'`{c}`' if c else '—' for c in row]
        lines.append(f'| `{name}` | {cells[0]} | {cells[1]} | {note or ""} |')
    return '\n'.join(lines) + '\n'


@DATASETS.register_module()
class CocoYTVISDataset(SkipUnreadableImagesMixin, CocoDataset):
    """COCO instances relabelled with the YouTube-VIS 2019 / 2021 classes.

    Reads a standard COCO instances json. Annotations of categories in the
    mapping get the index of their YouTube-VIS class (in the order of
    :data:`YTVIS_CLASSES`, the order of the video data sets); all others are
    dropped. Images left with no mapped annotation are dropped when
    ``filter_cfg['filter_empty_gt']`` is True (as ``CocoDataset`` drops
    images without annotations), kept as background otherwise. Image and
    annotation records lacking what mmdet reads are refused at load, with
    the file, the record and the key named (``annotation_checks.py``).
    In training, an image ``LoadCheckedImageFromFile`` cannot read is
    skipped and counted (:class:`SkipUnreadableImagesMixin`).

    Args:
        ytvis_version (str): '2019' or '2021'. Defaults to '2019'.
        category_map (dict[str, str], optional): COCO category name ->
            YouTube-VIS class name, to replace the default table
            :data:`COCO_TO_YTVIS` (e.g. for an ablation). Several COCO
            names may share a class.
        metainfo (dict, optional): As for ``CocoDataset``; ``classes``, if
            given, must be the YouTube-VIS classes of ``ytvis_version``.
        *args, **kwargs: As for :class:`mmdet.datasets.CocoDataset`.
    """

    METAINFO = dict(classes=(), palette=None)
    COCOAPI = CheckedCOCO

    def __init__(self,
                 *args,
                 ytvis_version: str = '2019',
                 category_map: Optional[Dict[str, str]] = None,
                 metainfo: Optional[dict] = None,
                 **kwargs) -> None:
        if ytvis_version not in YTVIS_CLASSES:
            raise ValueError(f'CocoYTVISDataset: ytvis_version must be one of '
                             f'{sorted(YTVIS_CLASSES)}, got {ytvis_version!r}')
        classes = YTVIS_CLASSES[ytvis_version]
        metainfo = dict(metainfo or {})
        if tuple(metainfo.setdefault('classes', classes)) != classes:
            raise ValueError(
                'CocoYTVISDataset: metainfo.classes must be the YouTube-VIS '
                f'{ytvis_version} classes (or be left out), got '
                f"{metainfo['classes']}")
        metainfo['classes'] = classes
        if category_map is None:
            category_map = COCO_TO_YTVIS[ytvis_version]
        unknown = sorted(set(category_map.values()) - set(classes))
        if unknown:
            raise ValueError(
                f'CocoYTVISDataset: category_map targets {unknown} are not '
                f'YouTube-VIS {ytvis_version} classes')
        self.ytvis_version = ytvis_version
        self.category_map = dict(category_map)
        super().__init__(*args, metainfo=metainfo, **kwargs)

    def _map_categories(self, coco) -> None:
        """Set ``cat_ids`` (mapped COCO ids) and ``cat2label`` (id -> YTVIS
        class index), which ``parse_data_info`` and ``filter_data`` use."""
        label_of = {c: i for i, c in enumerate(self.metainfo['classes'])}
        self.cat2label = {
            cat['id']: label_of[self.category_map[cat['name']]]
            for cat in coco.dataset.get('categories', [])
            if cat['name'] in self.category_map
        }
        if not self.cat2label:
            raise ValueError(
                f'{self.ann_file}: none of its categories is in the COCO -> '
                f'YouTube-VIS {self.ytvis_version} map '
                f'({sorted(self.category_map)}); is it a COCO instances json?')
        self.cat_ids = sorted(self.cat2label)

    def load_data_list(self) -> List[dict]:
        with get_local_path(
                self.ann_file, backend_args=self.backend_args) as local_path:
            coco = self.COCOAPI(local_path)
        self._map_categories(coco)
        self.cat_img_map = copy.deepcopy(coco.cat_img_map)
        data_list, ann_ids = [], []
        for img_id in coco.get_img_ids():
            raw_img_info = dict(coco.load_imgs([img_id])[0], img_id=img_id)
            img_ann_ids = coco.get_ann_ids(img_ids=[img_id])
            ann_ids.extend(img_ann_ids)
            data_list.append(
                self.parse_data_info(
                    dict(
                        raw_img_info=raw_img_info,
                        raw_ann_info=coco.load_anns(img_ann_ids))))
        if self.ANN_ID_UNIQUE and len(set(ann_ids)) != len(ann_ids):
            raise ValueError(f'{self.ann_file}: annotation ids are not unique')
        return data_list
