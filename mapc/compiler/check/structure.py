"""File-level structure: the mapping declaration, duplicate blocks, settings, events (R8)."""

from __future__ import annotations

from mapc.compiler import ir
from mapc.compiler.catalog import suggest
from mapc.compiler.check.context import Context
from mapc.compiler.source import Span
from mapc.runtime.kinds import CreateContacts, PersonAccounts

SETTINGS = (
    "catalogs",
    "create_hubspot_contacts",
    "create_salesforce_as",
    "person_accounts",
    "shared_org",
)
CREATE_SALESFORCE_AS = {"leads": "Lead", "contacts": "Contact"}
"""`create_salesforce_as` values and the Salesforce object each makes a new contact."""
EMAIL_EVENT_TYPES = {"email_open": "OPEN", "email_click": "CLICK"}


def check_structure(context: Context) -> None:
    mapping = context.mapping
    _check_declaration(context, mapping)
    _check_settings(context, mapping.of_type(ir.SettingsBlock))
    _register_value_maps(context, mapping.of_type(ir.ValuesBlock))
    _check_events(context, mapping.of_type(ir.EventsBlock))


def _duplicate(context: Context, what: str, span: Span, first: Span) -> None:
    context.error(
        "E102",
        f"duplicate {what}",
        span,
        f"the first one is on line {first.line}; merge the two into one",
    )


def _check_declaration(context: Context, mapping: ir.MappingFile) -> None:
    declarations = mapping.of_type(ir.MappingDecl)
    if not declarations:
        context.error(
            "E101",
            "the file does not declare its mapping",
            Span.point(mapping.span.file, 1, 1),
            "start the file with `mapping NAME`, e.g. `mapping hubspot_salesforce`",
        )
    for extra in declarations[1:]:
        _duplicate(context, "`mapping` declaration", extra.span, declarations[0].span)


def _check_settings(context: Context, blocks: tuple[ir.SettingsBlock, ...]) -> None:
    for extra in blocks[1:]:
        _duplicate(context, "`settings` block", extra.span, blocks[0].span)
    seen: dict[str, ir.Setting] = {}
    for block in blocks:
        for setting in block.settings:
            key = setting.key.value
            if key in seen:
                context.error(
                    "E105",
                    f"setting `{key}` is set twice",
                    setting.key.span,
                    f"it is first set on line {seen[key].span.line}; keep one",
                )
                continue
            seen[key] = setting
            _apply_setting(context, setting)
    settings = context.settings
    if settings.shared_org and settings.create_hubspot_contacts is not CreateContacts.NEVER:
        where = seen.get("create_hubspot_contacts") or seen["shared_org"]
        context.warn(
            "W101",
            "several HubSpot accounts share this Salesforce org, and Salesforce records "
            "create HubSpot contacts automatically",
            where.span,
            "leads or contacts created by one HubSpot account may create contacts in the "
            "other; HubSpot recommends `create_hubspot_contacts: never` here",
        )


def _apply_setting(context: Context, setting: ir.Setting) -> None:
    key = setting.key.value
    value = setting.value
    settings = context.settings
    if key == "create_hubspot_contacts":
        choices = [c.value for c in CreateContacts]
        text = value.value if isinstance(value, ir.Name) else None
        if text in choices:
            settings.create_hubspot_contacts = CreateContacts(text)
        else:
            _invalid(context, setting, " | ".join(choices))
    elif key == "create_salesforce_as":
        text = value.value if isinstance(value, ir.Name) else None
        if isinstance(text, str) and text in CREATE_SALESFORCE_AS:
            settings.create_salesforce_as = CREATE_SALESFORCE_AS[text]
            settings.create_salesforce_as_span = setting.span
        else:
            _invalid(context, setting, " | ".join(CREATE_SALESFORCE_AS))
    elif key == "shared_org":
        if isinstance(value, ir.Literal) and isinstance(value.value, bool):
            settings.shared_org = value.value
        else:
            _invalid(context, setting, "true | false")
    elif key == "person_accounts":
        if isinstance(value, ir.Literal) and isinstance(value.value, bool):
            settings.person_accounts = PersonAccounts.ON if value.value else PersonAccounts.OFF
        elif isinstance(value, ir.Name) and value.value == PersonAccounts.AUTO.value:
            settings.person_accounts = PersonAccounts.AUTO
        else:
            _invalid(context, setting, "auto | true | false")
    elif key == "catalogs":
        if isinstance(value, ir.Literal) and isinstance(value.value, str) and value.value:
            settings.catalogs = value.value
        else:
            _invalid(context, setting, 'a directory as a string, e.g. "catalogs"')
    else:
        close = suggest(key, SETTINGS, 1)
        hint = (
            f"did you mean `{close[0]}`?" if close else f"the settings are: {', '.join(SETTINGS)}"
        )
        context.error("E103", f"unknown setting `{key}`", setting.key.span, hint)


def _invalid(context: Context, setting: ir.Setting, expected: str) -> None:
    written = setting.value.value
    context.error(
        "E104",
        f"invalid value {written!r} for setting `{setting.key.value}`",
        setting.value.span,
        f"expected {expected}",
    )


def _register_value_maps(context: Context, blocks: tuple[ir.ValuesBlock, ...]) -> None:
    for block in blocks:
        name = block.name.value
        if name in context.value_maps:
            _duplicate(
                context, f"value map `{name}`", block.name.span, context.value_maps[name].span
            )
            continue
        context.value_maps[name] = block


def _check_events(context: Context, blocks: tuple[ir.EventsBlock, ...]) -> None:
    for extra in blocks[1:]:
        _duplicate(context, "`events` block", extra.span, blocks[0].span)
    if not blocks:
        return
    block = blocks[0]
    context.events = block
    seen: set[str] = set()
    for kind in block.kinds:
        if kind.value not in EMAIL_EVENT_TYPES:
            context.error(
                "E408",
                f"`{kind.value}` events cannot sync to Salesforce",
                kind.span,
                "only marketing email opens and clicks become tasks: `email_open`, `email_click`",
            )
        elif kind.value in seen:
            context.error(
                "E408", f"`{kind.value}` is listed twice", kind.span, "list each event once"
            )
        seen.add(kind.value)
    if block.target.value != "Task":
        context.error(
            "E408",
            f"email events become Salesforce Tasks, not `{block.target.value}`",
            block.target.span,
            "write `-> Task`",
        )
    for repeated in block.dedupe[1:]:
        _duplicate(context, "`dedupe` clause", repeated.span, block.dedupe[0].span)
    for repeated_look_back in block.look_back[1:]:
        _duplicate(context, "`look back` clause", repeated_look_back.span, block.look_back[0].span)
    for look_back in block.look_back[:1]:
        _check_look_back(context, look_back)
    for dedupe in block.dedupe[:1]:
        if dedupe.mode.value != "none":
            context.error(
                "E408",
                f"email events cannot be deduplicated (`dedupe {dedupe.mode.value}`)",
                dedupe.span,
                "HubSpot's Email Events API does not deduplicate: every open and click "
                "becomes its own task; write `dedupe none` or leave it out",
            )


LOOK_BACK_UNITS = {"day": 86_400, "days": 86_400, "hour": 3_600, "hours": 3_600}
MAX_LOOK_BACK_DAYS = 90


def look_back_seconds(look_back: ir.LookBack) -> int | None:
    """The window in seconds, or None when the clause is not a valid one."""
    amount, unit = look_back.amount.value, look_back.unit.value
    if not isinstance(amount, int) or isinstance(amount, bool) or unit not in LOOK_BACK_UNITS:
        return None
    seconds = amount * LOOK_BACK_UNITS[unit]
    return seconds if 0 < seconds <= MAX_LOOK_BACK_DAYS * 86_400 else None


def _check_look_back(context: Context, look_back: ir.LookBack) -> None:
    amount, unit = look_back.amount.value, look_back.unit.value
    if unit not in LOOK_BACK_UNITS:
        context.error(
            "E408",
            f"`look back` counts days or hours, not `{unit}`",
            look_back.unit.span,
            f"write e.g. `look back {amount} days`",
        )
    elif look_back_seconds(look_back) is None:
        context.error(
            "E408",
            f"`look back {amount} {unit}` is not a window mapc can read",
            look_back.amount.span,
            f"a whole number of days or hours, more than 0 and at most {MAX_LOOK_BACK_DAYS} "
            "days: each run reads every email event of that window again",
        )
