"""A headless Chromium for the report: the DOM after the page loaded, and screenshots.

Sandboxing needs user namespaces that containers and root sessions (CI) often lack, hence
--no-sandbox; the browser only opens the local file the report just wrote.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

from innolink.errors import InnolinkError, SetupError


def find_browser(name: str) -> str:
    found = shutil.which(name) or (name if Path(name).is_file() else None)
    if not found:
        raise SetupError(
            f"no browser {name!r} found: install Chromium (Debian: `apt-get install chromium`) "
            "or set report.browser to its path"
        )
    return found


def _run(browser: str, args: list[str], page: Path, timeout: float) -> str:
    # A fresh profile per call: parallel runs do not share a lock, nothing lands in $HOME.
    with tempfile.TemporaryDirectory(prefix="innolink-chromium-") as profile:
        cmd = [
            find_browser(browser),
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--no-first-run",
            "--hide-scrollbars",
            f"--user-data-dir={profile}",
            # Lets the load event and its handlers finish before the DOM is dumped.
            "--virtual-time-budget=10000",
            *args,
            page.resolve().as_uri(),
        ]
        try:
            done = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
        except subprocess.TimeoutExpired:
            raise InnolinkError(f"{browser} did not finish within {timeout:.0f} s") from None
    if done.returncode != 0:
        tail = "\n".join(done.stderr.strip().splitlines()[-5:])
        raise InnolinkError(f"{browser} failed (exit {done.returncode}): {tail}")
    return done.stdout


def dump_dom(page: Path, browser: str = "chromium", timeout: float = 60) -> str:
    """The page's DOM as the browser has it after loading (scripts run)."""
    return _run(browser, ["--dump-dom"], page, timeout)


def screenshot(
    page: Path,
    png: Path,
    browser: str = "chromium",
    width: int = 1280,
    height: int = 2000,
    timeout: float = 60,
) -> Path:
    """A PNG of the page's top `height` pixels at `width` wide."""
    png = png.resolve()
    png.parent.mkdir(parents=True, exist_ok=True)
    png.unlink(missing_ok=True)
    _run(browser, [f"--screenshot={png}", f"--window-size={width},{height}"], page, timeout)
    if not png.is_file() or png.stat().st_size == 0:
        raise InnolinkError(f"{browser} wrote no screenshot at {png}")
    return png
