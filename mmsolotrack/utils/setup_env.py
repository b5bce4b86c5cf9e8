# Copyright (c) mmsolotrack contributors. All rights reserved.
import datetime
import warnings

from mmengine import DefaultScope


def register_all_modules(init_default_scope: bool = True) -> None:
    """Register all modules of mmdet and mmsolotrack into the registries.

    Importing the packages below fills the registries; mmdet's own modules
    are registered first so that ``mmdet.`` prefixed types resolve.

    Args:
        init_default_scope (bool): Whether to set the default scope to
            ``'mmsolotrack'``, so that unprefixed types are looked up in our
            registries first. Defaults to True.
    """
    from mmdet.utils import register_all_modules as mmdet_register_all_modules
    mmdet_register_all_modules(init_default_scope=False)

    import mmsolotrack.datasets  # noqa: F401
    import mmsolotrack.engine  # noqa: F401
    import mmsolotrack.evaluation  # noqa: F401
    import mmsolotrack.models  # noqa: F401

    if init_default_scope:
        never_created = (
            DefaultScope.get_current_instance() is None
            or not DefaultScope.check_instance_created('mmsolotrack'))
        if never_created:
            DefaultScope.get_instance('mmsolotrack', scope_name='mmsolotrack')
            return
        current_scope = DefaultScope.get_current_instance()
        if current_scope.scope_name != 'mmsolotrack':
            warnings.warn('The current default scope '
                          f'"{current_scope.scope_name}" is not '
                          '"mmsolotrack", `register_all_modules` will force '
                          'the current default scope to be "mmsolotrack". If '
                          'this is not expected, please set '
                          '`init_default_scope=False`.')
            # avoid name conflict
            new_instance_name = f'mmsolotrack-{datetime.datetime.now()}'
            DefaultScope.get_instance(
                new_instance_name, scope_name='mmsolotrack')
