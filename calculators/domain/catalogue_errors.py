"""The catalogue's errors: a bad file (file, line, key path, reason) and an unknown id."""

from __future__ import annotations

from collections.abc import Sequence


class CatalogueError(ValueError):
    """The catalogue is invalid; ``problems`` lists every one found, ``lines`` their lines."""

    def __init__(
        self,
        source: str,
        problems: Sequence[tuple[str, str]],
        *,
        lines: Sequence[int | None] = (),
    ) -> None:
        self.source = source
        self.problems = tuple(problems)
        self.lines = tuple(lines) or (None,) * len(self.problems)
        located = [f"{source}, line {line}" if line else source for line in self.lines]
        # One line per problem: file, line (when known), key path, reason.
        self.messages = tuple(
            f"{where}: {path or '(top level)'}: {reason}"
            for where, (path, reason) in zip(located, problems, strict=True)
        )
        count = len(self.messages)
        header = f"{source}: the catalogue has {count} problem{'s' if count != 1 else ''}:"
        super().__init__("\n".join([header, *("  " + line for line in self.messages)]))


class UnknownIdError(KeyError):
    """A plan, add-on or currency id that the catalogue does not have."""

    def __init__(self, kind: str, wanted: str, known: Sequence[str]) -> None:
        self.kind = kind
        self.wanted = wanted
        self.known = tuple(known)
        super().__init__(f"unknown {kind} {wanted!r}; the catalogue has: {', '.join(known)}")

    def __str__(self) -> str:
        return str(self.args[0])
