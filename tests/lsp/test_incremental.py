"""A one-line edit re-parsed alone gives exactly what parsing the whole file gives."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from mapc.compiler.frontend import parse
from mapc.compiler.source import Source
from mapc.lsp.incremental import reparse
from tests.lsp.conftest import MAPPING

LINES = MAPPING.split("\n")
# Lines strictly inside a block: the ones the fast path may take.
INSIDE = [n for n, line in enumerate(LINES) if line.startswith("  ")]
POOL = [
    "  phone <-> Phone : two way",
    "  phone <-> Phone : two wa",
    "  phone <- Phone",
    "  phone <-> Phone : values lifecycle_stages, owner",
    '  default Lead.Status = "Open"',
    '  default Lead.Status = "bad \\q escape"',
    '  include where lifecyclestage != "lead" and (email is blank or phone in ["1", 2,])',
    "  match email ignore case",
    '  on closed_won: contacts.lifecyclestage = "customer" via contact_roles',
    "  `odd-name` <-> Description  # a comment",
    "  # only a comment",
    "",
    "  phone <-> Phone ; fax <-> Fax",
    "  phone <-> Phone }",
    "  }",
    "  sync deals <-> Opportunity {",
    '  lead -> "Lead"',
    '  "quoted" -> 42',
    "  lead ->",
    "  prénom <-> FirstName",
    "  a <=> B",
]
ALPHABET = st.sampled_from(list('ab_ .:,<->="`#;{}()[]\\1é'))


def check_equivalent(number: int, replacement: str) -> bool:
    """Asserts the fast path agrees with a whole parse; True when it was taken."""
    before = Source("x.mapc", MAPPING)
    after_lines = list(LINES)
    after_lines[number] = replacement
    after = Source("x.mapc", "\n".join(after_lines))
    previous = parse(before)
    fast = reparse(previous, after)
    if fast is None:
        return False
    whole = parse(after)
    assert fast.mapping == whole.mapping
    assert fast.diagnostics == whole.diagnostics
    return True


@settings(max_examples=300, deadline=None)
@given(
    number=st.sampled_from(INSIDE),
    replacement=st.sampled_from(POOL),
)
def test_replacing_a_line_agrees_with_a_whole_parse(number: int, replacement: str) -> None:
    check_equivalent(number, replacement)


@settings(max_examples=300, deadline=None)
@given(
    number=st.sampled_from(INSIDE),
    position=st.integers(min_value=0, max_value=80),
    typed=st.text(ALPHABET, max_size=3),
    deleted=st.integers(min_value=0, max_value=3),
)
def test_typing_in_a_line_agrees_with_a_whole_parse(
    number: int, position: int, typed: str, deleted: int
) -> None:
    line = LINES[number]
    at = min(position, len(line))
    check_equivalent(number, line[:at] + typed + line[at + deleted :])


def test_the_fast_path_takes_the_usual_edits() -> None:
    field_line = LINES.index("  email           <-> Email              : two way")
    entry_line = LINES.index('  lead                   -> "Lead"')
    assert check_equivalent(field_line, "  email           <-> Emai              : two way")
    assert check_equivalent(field_line, "  email           -> Email  # one way now")
    assert check_equivalent(entry_line, '  lead                   -> "Leads"')
    assert check_equivalent(entry_line, '  lead -> "bad \\q"')
    # Not alone on its line, or not an item: the whole file is parsed instead.
    assert not check_equivalent(field_line, "  email <-> Email ; phone <-> Phone")
    assert not check_equivalent(field_line, "  email <-> ")
    assert not check_equivalent(field_line, "")
