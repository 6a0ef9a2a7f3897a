"""What every feetui screen shares: translated key labels and typed access to the app's parts."""

from __future__ import annotations

from typing import TYPE_CHECKING, Generic, TypeVar

from textual.screen import ModalScreen, Screen

from feetui.widgets.bindings import TranslatedBindings

if TYPE_CHECKING:
    from feetui.app import FeeApp

ResultType = TypeVar("ResultType")


class FeeScreen(TranslatedBindings, Screen[ResultType], Generic[ResultType]):
    """A full screen of the counter app."""

    @property
    def fee_app(self) -> FeeApp:
        """The running :class:`~feetui.app.FeeApp`, typed."""
        return self.app  # type: ignore[return-value]


class FeeModal(TranslatedBindings, ModalScreen[ResultType], Generic[ResultType]):
    """A dialog of the counter app: collects input and dismisses with a typed result."""

    @property
    def fee_app(self) -> FeeApp:
        """The running :class:`~feetui.app.FeeApp`, typed."""
        return self.app  # type: ignore[return-value]


__all__ = ["FeeModal", "FeeScreen"]
