"""Figures the trust tests measure (payloads tried, bad inputs, comments posted and stored, 5xx count, ...).

Tests call `record(title, label=value, ...)`; at the end of every run tests/conftest.py prints
them under "figures" in pytest's summary and writes them to test-artifacts/figures.txt
(git-ignored), so `make test` output can be quoted.
"""

from pathlib import Path

REPORT = Path(__file__).resolve().parent.parent / "test-artifacts" / "figures.txt"
FIGURES: dict[str, dict[str, object]] = {}


def record(title, **values):
    FIGURES.setdefault(title, {}).update(values)


def count(title, label, n=1):
    values = FIGURES.setdefault(title, {})
    values[label] = values.get(label, 0) + n


def lines():
    for title, values in FIGURES.items():
        yield f"{title}: " + ", ".join(f"{label.replace('_', ' ')} {value}" for label, value in values.items())


def write_report():
    REPORT.parent.mkdir(exist_ok=True)
    REPORT.write_text("".join(f"{line}\n" for line in lines()))
    return REPORT
