"""Rule variants for the tests that show z3 refuses a stronger or wrong claim than a shipped rule's."""
import dataclasses

from provenum.verify.rules import RULES, Rule


def variant(name: str, **changes) -> Rule:
    """The rule `name` with some fields changed, under a name of its own (it is not registered)."""
    return dataclasses.replace(RULES[name], name=f"{name}-variant", **changes)
