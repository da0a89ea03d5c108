"""Lark tree -> IR: every node becomes a frozen model carrying its span.

A direct walk with one function per grammar rule (dispatched on the rule's name) rather
than a lark Transformer: on large files the Transformer's per-node machinery cost as much
as the parse itself.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import Any, cast

from mapc.compiler import ir
from mapc.compiler.diagnostics import Diagnostic
from mapc.compiler.grammar import Token, Tree
from mapc.compiler.source import Source, Span

_Node = Tree[Token] | Token | None


def build_ir(
    source: Source, tree: Tree[Token], comments: tuple[Token, ...]
) -> tuple[ir.MappingFile, tuple[Diagnostic, ...]]:
    """Build the IR of a parse tree, consuming the tree (each subtree is emptied once built)."""
    builder = _Builder(source.name)
    statements = tuple(builder.node(child) for child in tree.children if child is not None)
    lines = source.lines
    file_span = Span(
        file=source.name,
        line=1,
        column=1,
        end_line=max(len(lines), 1),
        end_column=len(lines[-1]) + 1 if lines else 1,
    )
    mapping = ir.MappingFile(
        span=file_span,
        statements=statements,
        comments=tuple(_comment(source, token) for token in comments),
    )
    return mapping, tuple(builder.diagnostics)


def _comment(source: Source, token: Token) -> ir.Comment:
    line = token.line or 1
    column = token.column or 1
    before = source.line_text(line)[: column - 1]
    span = Span(
        file=source.name, line=line, column=column, end_line=line, end_column=column + len(token)
    )
    return ir.Comment(span=span, text=str(token), own_line=not before.strip())


def decode_string(raw: str) -> str:
    """A STRING token's value: JSON escapes (\\n, \\t, \\", \\\\, \\uXXXX); raises ValueError."""
    try:
        value = json.loads(raw)
    except json.JSONDecodeError as error:
        raise ValueError(error.msg) from None
    if not isinstance(value, str):  # pragma: no cover - the token regex only admits strings
        raise ValueError("not a string")
    return value


# Every later stage walks filters recursively; a bound here keeps them all within
# Python's recursion limit whatever a file says.
MAX_FILTER_DEPTH = 64


def _depth(tree: Tree[Token]) -> int:
    """The depth of a tree, found without recursion."""
    deepest = 0
    stack: list[tuple[Tree[Token], int]] = [(tree, 1)]
    while stack:
        node, depth = stack.pop()
        deepest = max(deepest, depth)
        stack.extend((c, depth + 1) for c in node.children if isinstance(c, Tree))
    return deepest


_RULES = {
    "two_way": ir.RuleKind.TWO_WAY,
    "prefer_salesforce": ir.RuleKind.PREFER_SALESFORCE,
    "always_salesforce": ir.RuleKind.ALWAYS_SALESFORCE,
    "always_hubspot": ir.RuleKind.ALWAYS_HUBSPOT,
    "one_way": ir.RuleKind.ONE_WAY,
    "do_not_sync": ir.RuleKind.DO_NOT_SYNC,
}


class _Builder:
    def __init__(self, file: str) -> None:
        self.file = file
        self.diagnostics: list[Diagnostic] = []
        self._handlers: dict[str, Callable[[Tree[Token], Span], Any]] = {
            name.removeprefix("_tree_"): getattr(self, name)
            for name in dir(self)
            if name.startswith("_tree_")
        }

    # -- dispatch -----------------------------------------------------------------------

    def node(self, item: _Node) -> Any:
        if isinstance(item, Token):
            return self.token(item)
        assert item is not None
        meta = item.meta
        span = Span(
            file=self.file,
            line=meta.line,
            column=meta.column,
            end_line=meta.end_line,
            end_column=meta.end_column,
        )
        kind = item.data
        if kind in _RULES:
            return ir.Rule(span=span, kind=_RULES[kind])
        built = self._handlers[kind](item, span)
        # The subtree is spent: let it go while the rest is built, so that a large file's
        # tree and IR are not both held whole at once.
        item.children = []
        return built

    def nodes(self, items: Sequence[_Node]) -> list[Any]:
        built = (self.node(i) for i in items if i is not None)
        return [b for b in built if b is not None]

    def span_of(self, token: Token) -> Span:
        line = token.line or 1
        column = token.column or 1
        return Span(
            file=self.file,
            line=line,
            column=column,
            end_line=token.end_line or line,
            end_column=token.end_column or column + len(token),
        )

    def token(self, token: Token) -> ir.Name | ir.Literal | ir.Direction:
        kind = token.type
        if kind == "NAME":
            return ir.Name(span=self.span_of(token), value=str(token))
        if kind == "QUOTED_NAME":
            return ir.Name(span=self.span_of(token), value=str(token)[1:-1])
        if kind == "STRING":
            return self.string(token)
        if kind == "NUMBER":
            text = str(token)
            value: int | float = float(text) if "." in text else int(text)
            return ir.Literal(span=self.span_of(token), value=value)
        if kind in ("TRUE", "FALSE"):
            return ir.Literal(span=self.span_of(token), value=kind == "TRUE")
        return ir.Direction(str(token))

    def string(self, token: Token) -> ir.Literal:
        span = self.span_of(token)
        try:
            value = decode_string(str(token))
        except ValueError as error:
            self.diagnostics.append(
                Diagnostic(
                    "E004",
                    f"invalid escape in string: {error}",
                    span,
                    'the escapes are \\" \\\\ \\n \\t \\r \\/ \\b \\f and \\uXXXX',
                )
            )
            value = str(token)[1:-1]
        return ir.Literal(span=span, value=value)

    def direction(self, token: _Node) -> tuple[ir.Direction, Span]:
        assert isinstance(token, Token)
        return ir.Direction(str(token)), self.span_of(token)

    def literal(self, item: _Node) -> ir.Literal:
        """A value-map side: a bare name there is the option's value as text."""
        node = self.node(item)
        if isinstance(node, ir.Name):
            return ir.Literal(span=node.span, value=node.value)
        assert isinstance(node, ir.Literal)
        if not isinstance(node.value, str):
            return ir.Literal(span=node.span, value=repr(node.value))
        return node

    # -- rules (one method per grammar rule, named _tree_<rule>) ------------------------

    def _tree_field_ref(self, tree: Tree[Token], span: Span) -> ir.FieldRef:
        first, second = tree.children
        if second is None and isinstance(first, Token) and first.type == "NAME":
            # An unqualified name spans exactly what the reference spans: share the Span.
            return ir.FieldRef(span=span, object=None, field=ir.Name(span=span, value=str(first)))
        if second is None:
            return ir.FieldRef(span=span, object=None, field=self.node(first))
        return ir.FieldRef(span=span, object=self.node(first), field=self.node(second))

    def _tree_mapping_decl(self, tree: Tree[Token], span: Span) -> ir.MappingDecl:
        return ir.MappingDecl(span=span, name=self.node(tree.children[0]))

    def _tree_settings_block(self, tree: Tree[Token], span: Span) -> ir.SettingsBlock:
        return ir.SettingsBlock(span=span, settings=tuple(self.nodes(tree.children)))

    def _tree_setting(self, tree: Tree[Token], span: Span) -> ir.Setting:
        key, value = tree.children
        return ir.Setting(span=span, key=self.node(key), value=self.node(value))

    def _tree_sync_block(self, tree: Tree[Token], span: Span) -> ir.SyncBlock:
        hubspot, arrow, objects, *items = tree.children
        direction, direction_span = self.direction(arrow)
        assert isinstance(objects, Tree)
        return ir.SyncBlock(
            span=span,
            hubspot_object=self.node(hubspot),
            direction=direction,
            direction_span=direction_span,
            salesforce_objects=tuple(self.nodes(objects.children)),
            items=tuple(self.nodes(items)),
        )

    def _tree_field_map(self, tree: Tree[Token], span: Span) -> ir.FieldMap:
        hubspot, arrow, salesforce, *clauses = tree.children
        direction, direction_span = self.direction(arrow)
        return ir.FieldMap(
            span=span,
            hubspot=self.node(hubspot),
            direction=direction,
            direction_span=direction_span,
            salesforce=self.node(salesforce),
            clauses=tuple(self.nodes(clauses)),
        )

    def _tree_standard(self, tree: Tree[Token], span: Span) -> ir.Standard:
        return ir.Standard(span=span, name=self.node(tree.children[0]))

    def _tree_values_ref(self, tree: Tree[Token], span: Span) -> ir.ValuesRef:
        return ir.ValuesRef(span=span, name=self.node(tree.children[0]))

    def _tree_owner(self, tree: Tree[Token], span: Span) -> ir.OwnerFlag:
        return ir.OwnerFlag(span=span)

    def _tree_match_email(self, tree: Tree[Token], span: Span) -> ir.MatchField:
        field, ignore_case = tree.children
        return ir.MatchField(span=span, field=self.node(field), ignore_case=ignore_case is not None)

    def _tree_match_associated(self, tree: Tree[Token], span: Span) -> ir.MatchAssociated:
        via, sticky = tree.children
        return ir.MatchAssociated(span=span, via=self.node(via), sticky=sticky is not None)

    def _tree_match_none(self, tree: Tree[Token], span: Span) -> ir.MatchNone:
        return ir.MatchNone(span=span)

    def _tree_include(self, tree: Tree[Token], span: Span) -> ir.Include | None:
        depth = _depth(tree)
        if depth > MAX_FILTER_DEPTH:
            self.diagnostics.append(
                Diagnostic(
                    "E010",
                    f"the filter nests {depth} levels deep; the limit is {MAX_FILTER_DEPTH}",
                    span,
                    "flatten it: `not not x` is `x`, and `and`/`or` chains need no nesting",
                )
            )
            return None
        return ir.Include(span=span, where=self.node(tree.children[0]))

    def _tree_or_expr(self, tree: Tree[Token], span: Span) -> ir.Or:
        return ir.Or(span=span, operands=tuple(self.nodes(tree.children)))

    def _tree_and_expr(self, tree: Tree[Token], span: Span) -> ir.And:
        return ir.And(span=span, operands=tuple(self.nodes(tree.children)))

    def _tree_not_expr(self, tree: Tree[Token], span: Span) -> ir.Not:
        return ir.Not(span=span, operand=self.node(tree.children[0]))

    def _tree_compare(self, tree: Tree[Token], span: Span) -> ir.Compare:
        field, op, value = tree.children
        # The grammar's COMPARATOR token admits exactly the comparators the IR names.
        comparator = cast("ir.Comparator", str(op))
        return ir.Compare(span=span, field=self.node(field), op=comparator, value=self.node(value))

    def _in(self, tree: Tree[Token], span: Span, negated: bool) -> ir.InList:
        field, values = tree.children
        assert isinstance(values, Tree)
        return ir.InList(
            span=span,
            field=self.node(field),
            values=tuple(self.nodes(values.children)),
            negated=negated,
        )

    def _tree_in_list(self, tree: Tree[Token], span: Span) -> ir.InList:
        return self._in(tree, span, negated=False)

    def _tree_not_in_list(self, tree: Tree[Token], span: Span) -> ir.InList:
        return self._in(tree, span, negated=True)

    def _tree_is_blank(self, tree: Tree[Token], span: Span) -> ir.IsBlank:
        return ir.IsBlank(span=span, field=self.node(tree.children[0]), negated=False)

    def _tree_is_not_blank(self, tree: Tree[Token], span: Span) -> ir.IsBlank:
        return ir.IsBlank(span=span, field=self.node(tree.children[0]), negated=True)

    def _tree_default(self, tree: Tree[Token], span: Span) -> ir.Default:
        target, value = tree.children
        return ir.Default(span=span, target=self.node(target), value=self.node(value))

    def _tree_idempotency_key(self, tree: Tree[Token], span: Span) -> ir.IdempotencyKey:
        return ir.IdempotencyKey(span=span, field=self.node(tree.children[0]))

    def _tree_on_event(self, tree: Tree[Token], span: Span) -> ir.OnEvent:
        event, target, value, via = tree.children
        return ir.OnEvent(
            span=span,
            event=self.node(event),
            target=self.node(target),
            value=self.node(value),
            via=self.node(via),
        )

    def _tree_on_delete(self, tree: Tree[Token], span: Span) -> ir.OnDelete:
        side, action = tree.children
        return ir.OnDelete(span=span, side=self.node(side), action=self.node(action))

    def _tree_associate(self, tree: Tree[Token], span: Span) -> ir.Associate:
        hubspot, arrow, salesforce = tree.children
        direction, direction_span = self.direction(arrow)
        return ir.Associate(
            span=span,
            hubspot_object=self.node(hubspot),
            direction=direction,
            direction_span=direction_span,
            salesforce=self.node(salesforce),
        )

    def _tree_values_block(self, tree: Tree[Token], span: Span) -> ir.ValuesBlock:
        name, *entries = tree.children
        return ir.ValuesBlock(span=span, name=self.node(name), entries=tuple(self.nodes(entries)))

    def _tree_value_entry(self, tree: Tree[Token], span: Span) -> ir.ValueEntry:
        left, right = tree.children
        return ir.ValueEntry(span=span, hubspot=self.literal(left), salesforce=self.literal(right))

    def _tree_events_block(self, tree: Tree[Token], span: Span) -> ir.EventsBlock:
        built = self.nodes(tree.children)
        names = [n for n in built if isinstance(n, ir.Name)]
        return ir.EventsBlock(
            span=span,
            kinds=tuple(names[:-1]),
            target=names[-1],
            dedupe=tuple(n for n in built if isinstance(n, ir.Dedupe)),
            look_back=tuple(n for n in built if isinstance(n, ir.LookBack)),
        )

    def _tree_look_back(self, tree: Tree[Token], span: Span) -> ir.LookBack:
        amount, unit = tree.children
        return ir.LookBack(span=span, amount=self.node(amount), unit=self.node(unit))

    def _tree_dedupe(self, tree: Tree[Token], span: Span) -> ir.Dedupe:
        return ir.Dedupe(span=span, mode=self.node(tree.children[0]))
