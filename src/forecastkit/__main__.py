"""``python -m forecastkit``: the ``forecastkit`` command."""

from forecastkit.cli import main

main()
