"""Cumulative dispatch levels, as data: each level needs its own features and those of the levels below.

An ISA's features module (provenum.isa.aarch64.features; x86-64's has the same
functions written out) builds a LevelSet from its Level list and exports
its functions: LEVEL_NAMES, level_index, level_features, best_level,
missing_for, features_from_mask.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Level:
    name: str
    adds: tuple[str, ...]      # features this level adds to the one below
    summary: str


class LevelSet:
    def __init__(self, isa: str, levels: tuple[Level, ...], features: tuple[str, ...]):
        self.isa, self.levels, self.features = isa, levels, features
        self.names = tuple(lv.name for lv in levels)

    def index(self, name: str) -> int:
        try:
            return self.names.index(name)
        except ValueError:
            raise ValueError(f"unknown {self.isa} level {name!r}; the levels are {', '.join(self.names)}") from None

    def needs(self, name: str) -> frozenset[str]:
        """Every feature a level needs (its own and those below it)."""
        i = self.index(name)
        return frozenset(f for lv in self.levels[: i + 1] for f in lv.adds)

    def best(self, features) -> str:
        """The highest level whose features are all in `features`."""
        have = set(features)
        best = self.levels[0].name
        for lv in self.levels:
            if not self.needs(lv.name) <= have:
                break
            best = lv.name
        return best

    def missing(self, level: str, features) -> list[str]:
        return sorted(self.needs(level) - set(features))

    def from_mask(self, mask: int) -> frozenset[str]:
        """The features whose bits are set, in the order the native detection reports them."""
        return frozenset(f for i, f in enumerate(self.features) if mask >> i & 1)
