"""forecastkit.cli: the ``forecastkit`` command (``app.py``) and its panel commands."""

from __future__ import annotations

import sys


def main() -> None:
    """The ``forecastkit`` console script.

    A Ctrl-C while the CLI starts (importing its libraries, typer building the commands
    and parsing the arguments: the first few tenths of a second) ends like one during a
    command, with one line and exit 130: no traceback, and not typer's silent 130. Within
    a command ``app.cli_errors`` says the line (with its resume hint) and marks the
    interrupt handled.
    """
    from forecastkit.safety.signals import interrupts_recorded, pending, report

    def stop(interrupt: KeyboardInterrupt) -> SystemExit:
        reason, code = report(interrupt)
        sys.stderr.write(f"error: {reason}\n")
        return SystemExit(code)

    try:
        with interrupts_recorded():
            try:
                from forecastkit.cli.app import app

                app()
            except SystemExit as err:
                interrupt = pending()
                if err.code == 130 and interrupt is not None:  # typer made it a bare exit 130
                    raise stop(interrupt) from None
                raise
    except KeyboardInterrupt as interrupt:  # before typer or cli_errors could catch it
        raise stop(interrupt) from None
