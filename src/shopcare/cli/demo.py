"""`shopcare demo`: a guided run of the whole care loop on a throwaway data directory."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

app = typer.Typer(add_completion=False, rich_markup_mode=None)


@app.command("demo")
def demo(
    directory: Optional[Path] = typer.Option(None, "--dir", help="Where to create the demo shop (default: a new temp dir)."),
) -> None:
    """Run the whole care loop on a throwaway data dir: import, confirm, notify, acknowledge mail.

    Needs no server and no config: mail and SMS are written to files you can open.
    """
    from shopcare.demo import run
    from shopcare.errors import BadInput

    if directory is not None and directory.exists() and any(directory.iterdir()):
        raise BadInput(f"{directory} is not empty; give a new or empty directory")
    run(directory)
