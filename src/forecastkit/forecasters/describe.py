"""A registered type's parameters for ``forecastkit models TYPE``: default, allowed
values (the class's ``param_choices``) and a one-line meaning from the class's
numpydoc ``Parameters`` section."""

from __future__ import annotations

import inspect
import re

from forecastkit.forecasters.registry import get_entry, parameters


def docstring_meanings(cls: type) -> dict[str, str]:
    """Parameter name -> the first sentence of its description in ``cls``'s numpydoc
    ``Parameters`` section (a line naming several parameters gives each the same)."""
    doc = inspect.getdoc(cls) or ""
    match = re.search(r"^Parameters\n-+\n(.*?)(?:\n\n[A-Z][a-z]+\n-+\n|\Z)", doc, re.S | re.M)
    if not match:
        return {}
    meanings: dict[str, str] = {}
    names: list[str] = []
    text: list[str] = []

    def flush() -> None:
        sentence = " ".join(text).strip()
        sentence = sentence.split(". ")[0].rstrip(".").replace("``", "")
        if len(sentence) > 100:  # one line: the start of the meaning
            sentence = sentence[:97].rsplit(" ", 1)[0] + " ..."
        for n in names:
            meanings.setdefault(n, sentence)

    for line in match.group(1).splitlines():
        if line and not line.startswith(" "):
            flush()
            head = line.split(" : ")[0]
            names, text = [n.strip() for n in head.split(",")], []
        elif line.strip():
            text.append(line.strip())
    flush()
    return meanings


def describe_parameters(type_name: str) -> list[str]:
    """One line per parameter of ``type_name``: ``name = default  [choices]  meaning``."""
    entry = get_entry(type_name)
    cls = entry.load()
    meanings = docstring_meanings(cls)
    choices = getattr(cls, "param_choices", {})
    params = parameters(type_name)
    width = max((len(n) for n in params), default=0)
    lines = []
    for name, default in params.items():
        fixed = " (fixed by this type)" if name in entry.defaults else ""
        allowed = f"  one of: {', '.join(repr(c) if c is not None else 'None' for c in choices[name])}" \
            if name in choices else ""
        meaning = meanings.get(name, "")
        lines.append(f"  {name:{width}s} = {default!r}{fixed}{allowed}" + (f"\n  {'':{width}s}   {meaning}" if meaning else ""))
    return lines
