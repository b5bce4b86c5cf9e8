#!/usr/bin/env python
# Copyright (c) mmsolotrack contributors. All rights reserved.
"""Install mmsolotrack.

``mim train/test mmsolotrack ...`` and ``mmsolotrack::`` config paths find
files under ``mmsolotrack/.mim/``. It is filled here: symlinks for an
editable (``setup.py develop``) install, copies for a wheel / ``pip install .``.
There is deliberately no ``pyproject.toml``: pip < 25.3 then installs ``-e .``
through ``setup.py develop``, which is what makes ``.mim`` resolve in place.
"""
import os
import os.path as osp
import shutil
import sys

from setuptools import find_packages, setup

HERE = osp.dirname(osp.abspath(__file__))
MIM_FILES = ('configs', 'tools', 'demo', 'model-index.yml')


def readme() -> str:
    with open(osp.join(HERE, 'README.md'), encoding='utf-8') as f:
        return f.read()


def get_version() -> str:
    scope: dict = {}
    with open(osp.join(HERE, 'mmsolotrack', 'version.py')) as f:
        exec(compile(f.read(), 'version.py', 'exec'), scope)
    return scope['__version__']


def parse_requirements(fname: str) -> list:
    """Requirement lines of ``requirements/<fname>``, comments dropped."""
    reqs = []
    with open(osp.join(HERE, 'requirements', fname)) as f:
        for line in f:
            line = line.split('#', 1)[0].strip()
            if line and not line.startswith('-'):
                reqs.append(line)
    return reqs


def add_mim_extension() -> None:
    """Fill ``mmsolotrack/.mim`` with the files ``mim`` looks up."""
    if 'develop' in sys.argv or 'editable_wheel' in sys.argv:
        mode = 'symlink'
    elif {'sdist', 'bdist_wheel', 'install', 'build', 'build_py'} & set(
            sys.argv) or any(a.startswith('bdist') for a in sys.argv):
        mode = 'copy'
    else:
        return

    mim_path = osp.join(HERE, 'mmsolotrack', '.mim')
    os.makedirs(mim_path, exist_ok=True)
    for name in MIM_FILES:
        src = osp.join(HERE, name)
        if not osp.exists(src):
            continue
        dst = osp.join(mim_path, name)
        if osp.islink(dst) or osp.isfile(dst):
            os.remove(dst)
        elif osp.isdir(dst):
            shutil.rmtree(dst)
        if mode == 'symlink':
            os.symlink(osp.relpath(src, mim_path), dst)
        elif osp.isfile(src):
            shutil.copyfile(src, dst)
        else:
            shutil.copytree(src, dst, symlinks=False)


if __name__ == '__main__':
    add_mim_extension()
    setup(
        name='mmsolotrack',
        version=get_version(),
        description='Learning to track instances without video annotations '
        '(SOLO + contrastive embeddings), an OpenMMLab plugin',
        long_description=readme(),
        long_description_content_type='text/markdown',
        author='mmsolotrack contributors',
        keywords='computer vision, video instance segmentation, tracking',
        packages=find_packages(exclude=('configs', 'tools', 'demo', 'tests')),
        include_package_data=True,
        package_data={'mmsolotrack': ['.mim/**/*', '.mim/*']},
        python_requires='>=3.8',
        classifiers=[
            'Programming Language :: Python :: 3',
            'Programming Language :: Python :: 3.11',
            'License :: OSI Approved :: Apache Software License',
        ],
        license='Apache License 2.0',
        install_requires=parse_requirements('runtime.txt'),
        extras_require={
            'tests': parse_requirements('tests.txt'),
            'mim': parse_requirements('mim_deps.txt'),
        },
        zip_safe=False)
