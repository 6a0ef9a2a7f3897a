"""Signing in (code, then PIN) and the idle lock screen that only the same cashier's PIN opens.

This is the first screen: it imports nothing of the store, so it is drawn before the database is
open. A PIN entered while the database is still opening waits for it (``FeeApp.wait_for_store``).
"""

from __future__ import annotations

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Footer, Input, Label

from feetui.core.errors import FeeError
from feetui.i18n import N_, _, tr_error
from feetui.messages import SignedIn, SignOutRequested
from feetui.screens.base import FeeModal, FeeScreen


class SignInScreen(FeeScreen[None]):
    """Code, Enter, PIN, Enter. A wrong PIN says how many tries are left before the lock."""

    BINDINGS = [
        Binding("ctrl+q", "app.quit", N_("Quit"), id="sign_in.quit", priority=True),
    ]
    AUTO_FOCUS = "#sign-in-code"
    ENTER_FOCUSES = {"sign-in-code": "#sign-in-pin"}
    """Enter in the code moves to the PIN at once, so a PIN typed ahead lands there (FeeApp)."""

    def compose(self) -> ComposeResult:
        """A small centred form."""
        with Vertical(classes="form sign-in"):
            yield Label(_("Fee counter"), classes="form-title")
            yield Label(self.fee_app.settings.company_name, classes="form-subtitle")
            yield Label(_("Code"))
            yield Input(id="sign-in-code", placeholder=_("Your cashier code"))
            yield Label(_("PIN"))
            yield Input(id="sign-in-pin", password=True, placeholder=_("PIN"))
            yield Label("", id="sign-in-message", classes="field-error")
        yield Footer()

    @on(Input.Submitted, "#sign-in-code")
    def _code_entered(self) -> None:
        self.query_one("#sign-in-pin", Input).focus()

    @on(Input.Submitted, "#sign-in-pin")
    def _pin_entered(self) -> None:
        code = self.query_one("#sign-in-code", Input).value
        pin = self.query_one("#sign-in-pin", Input).value
        self._sign_in(code, pin)

    @work(exclusive=True, group="sign-in")
    async def _sign_in(self, code: str, pin: str) -> None:
        """Check the code and PIN; tell the app, or say what is wrong."""
        message = self.query_one("#sign-in-message", Label)
        pin_input = self.query_one("#sign-in-pin", Input)
        if not self.fee_app.store_open:
            message.update(_("Opening the database…"))
        try:
            services = await self.fee_app.wait_for_store()
            from feetui.services.auth import sign_in

            user = await sign_in(services, code=code, pin=pin)
        except FeeError as error:
            message.update(tr_error(error))
            pin_input.value = ""
            wrong_code = error.code in ("user_unknown", "code_empty")
            self.query_one("#sign-in-code" if wrong_code else "#sign-in-pin", Input).focus()
            return
        message.update("")
        self.post_message(SignedIn(user.id))


class LockScreen(FeeModal[None]):
    """Covers the counter after the idle time; the signed-in cashier's PIN opens it again."""

    BINDINGS = [
        Binding("f10", "sign_out", N_("Sign out"), id="lock.sign_out"),
    ]
    AUTO_FOCUS = "#lock-pin"

    def compose(self) -> ComposeResult:
        """Who is signed in, and a PIN field."""
        user = self.fee_app.user
        name = user.name if user else ""
        with Vertical(classes="form lock"):
            yield Label(_("Counter locked"), classes="form-title")
            yield Label(_("{name}, type your PIN to carry on.").format(name=name))
            yield Input(id="lock-pin", password=True, placeholder=_("PIN"))
            yield Label("", id="lock-message", classes="field-error")
        yield Footer()

    @on(Input.Submitted, "#lock-pin")
    def _pin_entered(self, event: Input.Submitted) -> None:
        self._unlock(event.value)

    @work(exclusive=True, group="unlock")
    async def _unlock(self, pin: str) -> None:
        """The same cashier's PIN closes the lock; anything else is refused and counted."""
        user = self.fee_app.user
        if user is None:
            self.dismiss(None)
            return
        from feetui.services.auth import sign_in

        try:
            await sign_in(self.fee_app.services, code=user.code, pin=pin)
        except FeeError as error:
            self.query_one("#lock-message", Label).update(tr_error(error))
            self.query_one("#lock-pin", Input).value = ""
            return
        self.fee_app.last_key_at = self.fee_app.clock.now()
        self.dismiss(None)

    def action_sign_out(self) -> None:
        """Another cashier takes the counter: sign the locked one out."""
        self.post_message(SignOutRequested())


__all__ = ["LockScreen", "SignInScreen"]
