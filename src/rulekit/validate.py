"""`rulekit validate`: every finding about one or more policy files, in one run."""
from __future__ import annotations

from dataclasses import dataclass, field

from .consistency import same_person_substitutes, text_table_conflicts, unheld_chain_roles
from .diagnostics import Diagnostic, RulekitError, UsageError, errors_in, sort_key
from .policy.load import load_policy_text
from .sourceyaml import read_text


@dataclass(frozen=True)
class Report:
    diagnostics: tuple[Diagnostic, ...]
    sources: dict = field(default_factory=dict, compare=False)
    files: tuple[str, ...] = ()

    def exit_code(self, strict: bool = False) -> int:
        if errors_in(self.diagnostics):
            return 1
        return 1 if strict and self.diagnostics else 0


def validate_paths(paths, roster=None, on=None) -> Report:
    found: list[Diagnostic] = []
    sources: dict = {}
    for path in paths:
        try:
            text = read_text(path, "policy file")  # missing or unreadable: UsageError, raised
            sources[path] = text.splitlines()
            loaded = load_policy_text(text, path)
        except UsageError:
            raise
        except RulekitError as exc:  # not UTF-8, not YAML: report and go on to the next file
            found.extend(exc.diagnostics)
            continue
        sources.update(loaded.sources())
        found.extend(loaded.diagnostics)
        found.extend(text_table_conflicts(loaded.policy, loaded.document))
        if roster is not None:
            found.extend(same_person_substitutes(loaded.policy, roster, on))
            found.extend(unheld_chain_roles(loaded.policy, roster, on))
    return Report(tuple(sorted(dict.fromkeys(found), key=sort_key)), sources, tuple(paths))
