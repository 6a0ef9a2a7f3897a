"""Key-binding labels translated per instance, so one process can show any language.

Textual reads ``BINDINGS`` when a class is created, which is too early for a language chosen at
start-up (or per test). Our classes write their binding descriptions as English message ids marked
with ``N_`` and mix in :class:`TranslatedBindings`, which swaps each description for its
translation when an instance is made. Setting the language before importing screens still works;
it is simply no longer required (docs/ARCHITECTURE.md, "Translated key bindings").
"""

from __future__ import annotations

import dataclasses
from typing import Any

from textual.binding import Binding, BindingsMap

from feetui.i18n import N_, _

# Labels of bindings our screens inherit from Textual, marked here so the catalogs translate them.
TEXTUAL_LABELS = (N_("Focus Next"), N_("Focus Previous"))


def translate_bindings(bindings: BindingsMap) -> BindingsMap:
    """A copy of ``bindings`` with every description and tooltip in the current language.

    Args:
        bindings: the node's bindings, as Textual merged them from the class hierarchy.

    Returns:
        A new map with the same keys, actions and ids.
    """
    keys: dict[str, list[Binding]] = {}
    for key, key_bindings in bindings.key_to_bindings.items():
        keys[key] = [_translated(binding) for binding in key_bindings]
    return BindingsMap.from_keys(keys)


def _translated(binding: Binding) -> Binding:
    """One binding with its labels translated (empty labels stay empty)."""
    description = _(binding.description) if binding.description else ""
    tooltip = _(binding.tooltip) if binding.tooltip else ""
    return dataclasses.replace(binding, description=description, tooltip=tooltip)


class TranslatedBindings:
    """Mixin for screens, widgets and the app: translate binding labels when an instance is made.

    Put it first among the bases, e.g. ``class UnitScreen(TranslatedBindings, Screen[None])``.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._bindings = translate_bindings(self._bindings)  # type: ignore[has-type]


__all__ = ["TEXTUAL_LABELS", "TranslatedBindings", "translate_bindings"]
