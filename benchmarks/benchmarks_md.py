"""BENCHMARKS.md, written by the benchmark scripts: their sections, rows and machine.

Each script owns one section (`## ...`) and replaces only its own rows, so
scripts run in any order on any machine keep each other's figures.
"""

from __future__ import annotations

import os
import platform
import re
from pathlib import Path

import jax


def cpu_name() -> str:
    """The CPU's model name (from /proc/cpuinfo where there is one)."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def machine() -> str:
    """What ran the figures: the local accelerators, or the CPU and its cores."""
    devices = jax.local_devices()
    if devices[0].platform != "cpu":
        return f"{len(devices)}× {devices[0].device_kind}"
    return f"{cpu_name()}, {os.cpu_count()} CPU cores (shared)"


def update_table(
    path: Path, section: str, header: str, label: str, row: str, intro: str = ""
) -> None:
    """Inserts or replaces the row labelled `label` in `section`'s table (made
    with `intro` and `header` when the section is new)."""
    text = path.read_text() if path.exists() else "# Benchmarks\n"
    if section not in text:
        text = text.rstrip() + f"\n\n{section}\n\n{intro}{header}"
    start = text.index(header, text.index(section)) + len(header)
    end = start
    while end < len(text) and text[end:].startswith("| "):
        end = text.index("\n", end) + 1 if "\n" in text[end:] else len(text)
    rows = text[start:end].splitlines(keepends=True)
    pattern = re.compile(rf"^\| {re.escape(label)} \|")
    for i, line in enumerate(rows):
        if pattern.match(line):
            rows[i] = row
            break
    else:
        rows.append(row)
    path.write_text(text[:start] + "".join(rows) + text[end:])


def update_section(path: Path, section: str, body: str) -> None:
    """Replaces `section` of BENCHMARKS.md with `body`, leaving the others alone."""
    text = path.read_text() if path.exists() else "# Benchmarks\n"
    new = f"{section}\n\n{body.strip()}\n"
    match = re.search(rf"^{re.escape(section)}\n.*?(?=^## |\Z)", text, re.M | re.S)
    if match:
        rest = text[match.end() :]
        text = text[: match.start()] + new + ("\n" + rest if rest else "")
    else:
        text = text.rstrip("\n") + "\n\n" + new
    path.write_text(text)
