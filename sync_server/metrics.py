"""Process-local counters shown at ``GET /metrics`` in the Prometheus text format.

Counters are per process, as Prometheus expects of several processes behind one balancer: it
scrapes each and sums.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

HELP = {
    "feetui_http_requests_total": "HTTP requests answered, by route and status.",
    "feetui_pushes_total": "Push requests applied.",
    "feetui_records_applied_total": "Pushed records, by outcome (created, exists, conflict).",
    "feetui_conflicts_total": "Pushed records whose id was already held with other content.",
    "feetui_pull_changes_total": "Changes sent to counters by pull.",
    "feetui_scanpay_provider_calls_total": (
        "Calls to scanned-code payment providers, by provider, call (pay, query, reverse) and"
        " outcome."
    ),
}


@dataclass
class Metrics:
    """Counters keyed by metric name and a sorted tuple of label pairs."""

    counts: Counter[tuple[str, tuple[tuple[str, str], ...]]] = field(default_factory=Counter)

    def inc(self, name: str, amount: int = 1, **labels: str) -> None:
        """Add ``amount`` to the counter ``name`` with ``labels``."""
        if name not in HELP:
            raise KeyError(f"unknown metric {name}")
        self.counts[(name, tuple(sorted(labels.items())))] += amount

    def value(self, name: str, **labels: str) -> int:
        """The current value of one counter (0 when never incremented)."""
        return self.counts[(name, tuple(sorted(labels.items())))]

    def render(self) -> str:
        """The Prometheus text exposition of every counter."""
        lines: list[str] = []
        for name, help_text in HELP.items():
            lines += [f"# HELP {name} {help_text}", f"# TYPE {name} counter"]
            series = sorted((k[1], v) for k, v in self.counts.items() if k[0] == name)
            if not series:
                lines.append(f"{name} 0")
            for labels, value in series:
                lines.append(f"{name}{_labels(labels)} {value}")
        return "\n".join(lines) + "\n"


def _labels(pairs: tuple[tuple[str, str], ...]) -> str:
    if not pairs:
        return ""
    escaped = (f'{k}="{_escape(v)}"' for k, v in pairs)
    return "{" + ",".join(escaped) + "}"


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


__all__ = ["Metrics"]
