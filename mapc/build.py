"""Lark tree -> IR: every node becomes a frozen model carrying its span."""

from __future__ import annotations

import json
from typing import Any

from lark import Token, Transformer, Tree, v_args
from lark.exceptions import VisitError

from mapc import ir
from mapc.diagnostics import Diagnostic
from mapc.source import Source, Span


def build_ir(
    source: Source, tree: Tree[Token], comments: tuple[Token, ...]
) -> tuple[ir.MappingFile, tuple[Diagnostic, ...]]:
    builder = _Builder(source.name)
    try:
        statements = builder.transform(tree)
    except VisitError as error:  # a bug in a rule method, not the user's input
        raise error.orig_exc from error
    file_span = Span(
        file=source.name,
        line=1,
        column=1,
        end_line=max(len(source.lines), 1),
        end_column=len(source.lines[-1]) + 1 if source.lines else 1,
    )
    mapping = ir.MappingFile(
        span=file_span,
        statements=tuple(statements),
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


@v_args(meta=True)
class _Builder(Transformer[Token, Any]):
    def __init__(self, file: str) -> None:
        super().__init__()
        self.file = file
        self.diagnostics: list[Diagnostic] = []

    def _span(self, meta: Any) -> Span:
        return Span(
            file=self.file,
            line=meta.line,
            column=meta.column,
            end_line=meta.end_line,
            end_column=meta.end_column,
        )

    def _token_span(self, token: Token) -> Span:
        return Span(
            file=self.file,
            line=token.line or 1,
            column=token.column or 1,
            end_line=token.end_line or token.line or 1,
            end_column=token.end_column or (token.column or 1) + len(token),
        )

    # -- leaves -------------------------------------------------------------------------

    def start(self, meta: Any, children: list[Any]) -> list[Any]:
        return [c for c in children if c is not None]

    def name(self, meta: Any, children: list[Token]) -> ir.Name:
        token = children[0]
        value = str(token)
        if token.type == "QUOTED_NAME":
            value = value[1:-1]
        return ir.Name(span=self._token_span(token), value=value)

    def string(self, meta: Any, children: list[Token]) -> ir.Literal:
        token = children[0]
        span = self._token_span(token)
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

    def number(self, meta: Any, children: list[Token]) -> ir.Literal:
        token = children[0]
        text = str(token)
        value: int | float = float(text) if "." in text else int(text)
        return ir.Literal(span=self._token_span(token), value=value)

    def boolean(self, meta: Any, children: list[Token]) -> ir.Literal:
        token = children[0]
        return ir.Literal(span=self._token_span(token), value=token.type == "TRUE")

    def direction(self, meta: Any, children: list[Token]) -> tuple[ir.Direction, Span]:
        token = children[0]
        return ir.Direction(str(token)), self._token_span(token)

    def field_ref(self, meta: Any, children: list[ir.Name | None]) -> ir.FieldRef:
        first, second = children
        assert first is not None
        if second is None:
            return ir.FieldRef(span=self._span(meta), object=None, field=first)
        return ir.FieldRef(span=self._span(meta), object=first, field=second)

    # -- statements ---------------------------------------------------------------------

    def mapping_decl(self, meta: Any, children: list[ir.Name]) -> ir.MappingDecl:
        return ir.MappingDecl(span=self._span(meta), name=children[0])

    def settings_block(self, meta: Any, children: list[ir.Setting | None]) -> ir.SettingsBlock:
        return ir.SettingsBlock(span=self._span(meta), settings=tuple(c for c in children if c))

    def setting(self, meta: Any, children: list[Any]) -> ir.Setting:
        return ir.Setting(span=self._span(meta), key=children[0], value=children[1])

    def sync_block(self, meta: Any, children: list[Any]) -> ir.SyncBlock:
        hubspot, (direction, direction_span), objects, *items = children
        return ir.SyncBlock(
            span=self._span(meta),
            hubspot_object=hubspot,
            direction=direction,
            direction_span=direction_span,
            salesforce_objects=tuple(objects),
            items=tuple(i for i in items if i is not None),
        )

    def object_list(self, meta: Any, children: list[ir.Name]) -> list[ir.Name]:
        return children

    def field_map(self, meta: Any, children: list[Any]) -> ir.FieldMap:
        hubspot, (direction, direction_span), salesforce, *clauses = children
        return ir.FieldMap(
            span=self._span(meta),
            hubspot=hubspot,
            direction=direction,
            direction_span=direction_span,
            salesforce=salesforce,
            clauses=tuple(c for c in clauses if c is not None),
        )

    def _rule(self, meta: Any, kind: ir.RuleKind) -> ir.Rule:
        return ir.Rule(span=self._span(meta), kind=kind)

    def two_way(self, meta: Any, children: list[Any]) -> ir.Rule:
        return self._rule(meta, ir.RuleKind.TWO_WAY)

    def prefer_salesforce(self, meta: Any, children: list[Any]) -> ir.Rule:
        return self._rule(meta, ir.RuleKind.PREFER_SALESFORCE)

    def always_salesforce(self, meta: Any, children: list[Any]) -> ir.Rule:
        return self._rule(meta, ir.RuleKind.ALWAYS_SALESFORCE)

    def always_hubspot(self, meta: Any, children: list[Any]) -> ir.Rule:
        return self._rule(meta, ir.RuleKind.ALWAYS_HUBSPOT)

    def one_way(self, meta: Any, children: list[Any]) -> ir.Rule:
        return self._rule(meta, ir.RuleKind.ONE_WAY)

    def do_not_sync(self, meta: Any, children: list[Any]) -> ir.Rule:
        return self._rule(meta, ir.RuleKind.DO_NOT_SYNC)

    def standard(self, meta: Any, children: list[ir.Name]) -> ir.Standard:
        return ir.Standard(span=self._span(meta), name=children[0])

    def values_ref(self, meta: Any, children: list[ir.Name]) -> ir.ValuesRef:
        return ir.ValuesRef(span=self._span(meta), name=children[0])

    def owner(self, meta: Any, children: list[Any]) -> ir.OwnerFlag:
        return ir.OwnerFlag(span=self._span(meta))

    def match_email(self, meta: Any, children: list[Any]) -> ir.MatchField:
        field, ignore_case = children
        return ir.MatchField(
            span=self._span(meta), field=field, ignore_case=ignore_case is not None
        )

    def ignore_case(self, meta: Any, children: list[Any]) -> bool:
        return True

    def sticky(self, meta: Any, children: list[Any]) -> bool:
        return True

    def match_associated(self, meta: Any, children: list[Any]) -> ir.MatchAssociated:
        via, sticky = children
        return ir.MatchAssociated(span=self._span(meta), via=via, sticky=sticky is not None)

    def match_none(self, meta: Any, children: list[Any]) -> ir.MatchNone:
        return ir.MatchNone(span=self._span(meta))

    def include(self, meta: Any, children: list[ir.Expr]) -> ir.Include:
        return ir.Include(span=self._span(meta), where=children[0])

    def or_expr(self, meta: Any, children: list[ir.Expr]) -> ir.Or:
        return ir.Or(span=self._span(meta), operands=tuple(children))

    def and_expr(self, meta: Any, children: list[ir.Expr]) -> ir.And:
        return ir.And(span=self._span(meta), operands=tuple(children))

    def not_expr(self, meta: Any, children: list[ir.Expr]) -> ir.Not:
        return ir.Not(span=self._span(meta), operand=children[0])

    def compare(self, meta: Any, children: list[Any]) -> ir.Compare:
        field, op, value = children
        return ir.Compare(span=self._span(meta), field=field, op=str(op), value=value)

    def _in(self, meta: Any, children: list[Any], negated: bool) -> ir.InList:
        field, values = children
        return ir.InList(span=self._span(meta), field=field, values=tuple(values), negated=negated)

    def in_list(self, meta: Any, children: list[Any]) -> ir.InList:
        return self._in(meta, children, negated=False)

    def not_in_list(self, meta: Any, children: list[Any]) -> ir.InList:
        return self._in(meta, children, negated=True)

    def is_blank(self, meta: Any, children: list[Any]) -> ir.IsBlank:
        return ir.IsBlank(span=self._span(meta), field=children[0], negated=False)

    def is_not_blank(self, meta: Any, children: list[Any]) -> ir.IsBlank:
        return ir.IsBlank(span=self._span(meta), field=children[0], negated=True)

    def literal_list(self, meta: Any, children: list[ir.Literal | None]) -> list[ir.Literal]:
        return [c for c in children if c is not None]

    def default(self, meta: Any, children: list[Any]) -> ir.Default:
        return ir.Default(span=self._span(meta), target=children[0], value=children[1])

    def on_event(self, meta: Any, children: list[Any]) -> ir.OnEvent:
        event, target, value, via = children
        return ir.OnEvent(span=self._span(meta), event=event, target=target, value=value, via=via)

    def values_block(self, meta: Any, children: list[Any]) -> ir.ValuesBlock:
        name, *entries = children
        return ir.ValuesBlock(
            span=self._span(meta), name=name, entries=tuple(e for e in entries if e)
        )

    def value_entry(self, meta: Any, children: list[Any]) -> ir.ValueEntry:
        left, right = (self._as_literal(c) for c in children)
        return ir.ValueEntry(span=self._span(meta), hubspot=left, salesforce=right)

    def _as_literal(self, node: ir.Literal | ir.Name) -> ir.Literal:
        # A bare name in a value map is the option's value as text (`lead -> "Lead"`).
        if isinstance(node, ir.Name):
            return ir.Literal(span=node.span, value=node.value)
        if not isinstance(node.value, str):
            return ir.Literal(span=node.span, value=_number_text(node.value))
        return node

    def events_block(self, meta: Any, children: list[Any]) -> ir.EventsBlock:
        *names, maybe_dedupes = children
        # The grammar's optional body yields None, or the dedupe items follow the target.
        dedupes = [c for c in children if isinstance(c, ir.Dedupe)]
        kinds_and_target = [c for c in children if isinstance(c, ir.Name)]
        del names, maybe_dedupes
        return ir.EventsBlock(
            span=self._span(meta),
            kinds=tuple(kinds_and_target[:-1]),
            target=kinds_and_target[-1],
            dedupe=tuple(dedupes),
        )

    def dedupe(self, meta: Any, children: list[ir.Name]) -> ir.Dedupe:
        return ir.Dedupe(span=self._span(meta), mode=children[0])


def _number_text(value: int | float | bool) -> str:
    return repr(value) if not isinstance(value, bool) else str(value).lower()
