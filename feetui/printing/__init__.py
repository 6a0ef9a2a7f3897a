"""Receipt and report layouts, ESC/POS rendering, printer devices and the durable print queue.

The counter app's whole printing API::

    profile = PrintProfile.from_settings(settings)
    data = render_document(doc, profile)            # bytes; UnprintableTextError if it cannot
    job = PrintSpool.beside_database(db_path).enqueue(data, document_id=..., kind="receipt")
    failure = spool.attempt(job, settings.printer)  # None, or a PrintFailure to show

python-escpos is imported only when something is rendered or sent.
"""

from __future__ import annotations

from feetui.printing.devices import (
    FAILURE_CODES,
    SHORT_REASONS,
    PrintFailure,
    parse_uri,
    send,
)
from feetui.printing.escpos_render import (
    PrintProfile,
    UnprintableTextError,
    render,
    render_document,
    render_receipt,
)
from feetui.printing.layout import PrinterTestPage, PrintLayout, layout_document, layout_test_page
from feetui.printing.spool import PrintJob, PrintSpool, SpoolState

__all__ = [
    "FAILURE_CODES",
    "SHORT_REASONS",
    "PrintFailure",
    "PrintJob",
    "PrintLayout",
    "PrintProfile",
    "PrintSpool",
    "PrinterTestPage",
    "SpoolState",
    "UnprintableTextError",
    "layout_document",
    "layout_test_page",
    "parse_uri",
    "render",
    "render_document",
    "render_receipt",
    "send",
]
