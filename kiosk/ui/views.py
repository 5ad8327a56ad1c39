"""How presenter data reads on screen: short texts and list items for the .kv bindings (pure functions)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from devices.id_mask import mask_id
from kiosk.presenters import answers
from kiosk.presenters.case import money
from kiosk.presenters.identify import grouped_id
from kiosk.text import T, Text, say

STATUS_MARK = {"on_file": "•", "uploaded": "•", "expired": "!", "missing": "•"}


def _pick(item: Mapping[str, Any], key: str, language: str) -> str:
    return str(item.get(f"{key}_en" if language == "en" else f"{key}_vi") or item.get(f"{key}_vi") or "")


def queue_items(queues: Sequence[Mapping[str, Any]], language: str) -> list[dict[str, Any]]:
    items = []
    for queue in queues:
        if not queue["open"]:
            sub = say(T["queue.closed"], language)
        else:
            sub = (
                say(T["queue.waiting"], language).format(waiting=queue["waiting"])
                if queue["waiting"]
                else say(T["queue.waiting.none"], language)
            )
            if queue["wait_minutes"] is not None and queue["waiting"]:
                sub += " · " + say(T["queue.wait"], language).format(minutes=queue["wait_minutes"])
        items.append(
            {"key": queue["code"], "label": queue["name"], "sub": sub, "disabled": not queue["open"]}
        )
    return items


def priority_items(groups: Sequence[Mapping[str, Any]], chosen: str, suggested: str) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = [{"key": "", "label": T["priority.none"], "selected": not chosen}]
    for group in groups:
        label = group["name"]
        if group["code"] == suggested:
            by_age = T["priority.by_age"]
            label = Text(f"{label.vi} {by_age.vi}", f"{label.en} {by_age.en}")
        items.append({"key": group["code"], "label": label, "selected": group["code"] == chosen})
    return items


def procedure_facts(detail: Mapping[str, Any], language: str) -> str:
    if not detail:
        return ""
    fee = detail.get("fee_vnd")
    lines = [
        f"{detail.get('code', '')} · {_pick(detail, 'field_name', language)}",
        say(T["procedure.fee"], language).format(fee=money(fee))
        if fee
        else say(T["procedure.free"], language),
        say(T["procedure.days"], language).format(days=detail.get("legal_days", "?")),
    ]
    note = _pick(detail, "fee_note", language)
    if note:
        lines.append(note)
    return "\n".join(lines)


def pick(item: Mapping[str, Any], key: str, language: str) -> str:
    """item["<key>_vi"] or item["<key>_en"] by language (Vietnamese when English is missing)."""
    return _pick(item, key, language)


def pages_text(
    counts: Mapping[str, int], papers: Sequence[Mapping[str, Any]], index: int, language: str
) -> str:
    kind = papers[int(index)]["type"] if 0 <= index < len(papers) else ""
    return say(T["scan.pages"], language).format(count=counts.get(kind, 0))


def papers_text(detail: Mapping[str, Any], language: str) -> str:
    lines = []
    for paper in detail.get("papers", []):
        counts = []
        if paper.get("originals"):
            counts.append(f"{paper['originals']} {say(T['procedure.original'], language)}")
        if paper.get("copies"):
            counts.append(f"{paper['copies']} {say(T['procedure.copy'], language)}")
        optional = f" ({say(T['prepare.optional'], language)})" if paper.get("optional") else ""
        lines.append(
            f"• {_pick(paper, 'name', language)}{optional}" + (f" — {', '.join(counts)}" if counts else "")
        )
    return "\n".join(lines)


def checklist_text(papers: Sequence[Mapping[str, Any]], language: str) -> str:
    lines = []
    for paper in papers:
        status = paper.get("status", "missing")
        if status in ("on_file", "uploaded"):
            note = f"[color=1a8a4a]{say(T['prepare.on_file'], language)}[/color]"
        elif paper.get("needed"):
            note = f"[b]{say(T['prepare.needed'], language)}[/b]"
        else:
            note = say(T["prepare.optional"], language)
        lines.append(f"{STATUS_MARK.get(status, '•')} {_pick(paper, 'name', language)}\n     {note}")
    return "\n".join(lines)


def form_items(
    fields: Sequence[Mapping[str, Any]],
    values: Mapping[str, str],
    errors: Mapping[str, Sequence[str]],
    active: str,
    language: str,
) -> list[dict[str, Any]]:
    items = []
    for field in fields:
        name = field["name"]
        label = _pick(field, "label", language) + (" *" if field.get("required") else "")
        value = values.get(name, "")
        if field.get("type") == "choice" and value:
            choice = next((c for c in field.get("choices", []) if c["value"] == value), None)
            value = _pick(choice, "label", language) if choice else value
        if field.get("type") == "boolean":
            value = ("Yes" if language == "en" else "Có") if value in ("1", "true") else ""
        sub = f"[b]{value}[/b]" if value else "…"
        if name == active:
            sub += "|"
        if name in errors:
            sub += f"\n[color=c01a1a]{errors[name][1 if language == 'en' else 0]}[/color]"
        items.append(
            {
                "key": name,
                "label": label,
                "sub": sub,
                "selected": name == active,
                "extra_lines": int(name in errors),
            }
        )
    return items


def scan_title(papers: Sequence[Mapping[str, Any]], index: int, language: str) -> str:
    if not papers or index >= len(papers):
        return say(T["prepare.scan"], language)
    return say(T["scan.title"], language).format(index=int(index) + 1, count=len(papers))


def paper_name(papers: Sequence[Mapping[str, Any]], index: int, language: str) -> str:
    """The paper to photograph now, and whether it may be left out."""
    if not papers or index >= len(papers):
        return ""
    paper = papers[int(index)]
    optional = f" ({say(T['prepare.optional'], language)})" if paper.get("optional") else ""
    return say(paper["name"], language) + optional


def review_text(
    detail: Mapping[str, Any],
    papers: Sequence[Mapping[str, Any]],
    page_counts: Mapping[str, int],
    id_masked: str,
    language: str,
) -> str:
    lines = [
        f"[b]{_pick(detail, 'name', language)}[/b]",
        f"{say(T['identify.id'], language)}: {id_masked}",
        "",
    ]
    missing = False
    for paper in papers:
        kind = paper.get("type", "")
        pages = page_counts.get(kind, 0)
        if paper.get("status") in ("on_file", "uploaded"):
            note = say(T["prepare.on_file"], language)
        elif pages:
            note = say(T["scan.pages"], language).format(count=pages)
        elif paper.get("needed"):
            note, missing = say(T["submit.not_given"], language), True
        else:
            note = say(T["prepare.optional"], language)
        lines.append(f"• {_pick(paper, 'name', language)}: {note}")
    if missing:
        lines += ["", say(T["submit.missing"], language)]
    return "\n".join(lines)


def plain(text: object) -> str:
    """Text from outside (a staff-typed reason, a name) shown in a markup label as it is, never as markup."""
    return str(text).replace("&", "&amp;").replace("[", "&bl;").replace("]", "&br;")


def lookup_text(cases: Sequence[Mapping[str, Any]], language: str, title_size: float = 0) -> str:
    """Each case found: what it is, its state in plain words, the due date, the papers asked for and
    what to do next, where. Only what the public lookup answers (no name, no ID, no address)."""
    return "\n\n".join(_case_text(case, language, title_size) for case in cases)


def _case_text(case: Mapping[str, Any], language: str, title_size: float) -> str:
    state = str(case.get("status", ""))
    state_key = f"lookup.state.{state}"
    state_name = say(T[state_key], language) if state_key in T else _pick(case, "status_name", language)
    title = f"[b]{plain(_pick(case, 'procedure_name', language))}[/b]"
    lines = [
        f"[size={int(title_size)}]{title}[/size]" if title_size else title,
        f"{say(T['lookup.code'], language)}: [b]{plain(case.get('code', ''))}[/b]",
        say(T["lookup.status"], language).format(status=f"[b]{plain(state_name)}[/b]"),
    ]
    if case.get("due_date"):
        year, month, day = str(case["due_date"])[:10].split("-")
        lines.append(say(T["lookup.due"], language).format(day=f"[b]{day}/{month}/{year}[/b]"))
    missing = case.get("missing") or []
    if missing:
        lines.append(say(T["lookup.missing"], language))
        lines += [f"   • {plain(_pick(paper, 'name', language))}" for paper in missing]
    if case.get("missing_reason"):
        lines.append(say(T["lookup.note"], language).format(note=plain(case["missing_reason"])))
    todo_key = f"lookup.todo.{state}"
    if todo_key in T:
        office = plain(_pick(case, "office_name", language))
        lines.append(f"[b]{say(T[todo_key], language).format(office=office)}[/b]")
    return "\n".join(lines)


def device_text(rows: Sequence[Mapping[str, Any]], language: str) -> str:
    """Each device (and the server) by what it is, its state in words, and where it is."""
    colours = {"ready": "1a8a4a", "degraded": "b07800", "offline": "c01a1a"}
    lines = []
    for row in rows:
        message = row["message_en"] if language == "en" else row["message_vi"]
        colour = colours.get(row["state"], "555555")
        kind = say(T[f"maint.{row['kind']}"], language) if f"maint.{row['kind']}" in T else row["kind"]
        name = "" if row["kind"] == row["name"] else f" ({row['name']})"
        state = say(T[f"maint.{row['state']}"], language) if f"maint.{row['state']}" in T else row["state"]
        lines.append(
            f"[b]{kind}{name}[/b]  [color={colour}]{state}[/color]  {message}\n"
            f"[size=16]{markup_escape(row['url'])}[/size]"
        )
    return "\n".join(lines)


def fault_text(faults: Sequence[Mapping[str, Any]], language: str) -> str:
    """The last unexpected failures for staff: when, what the kiosk was doing, what broke."""
    if not faults:
        return say(T["maint.no_faults"], language)
    lines = [say(T["maint.faults"], language)]
    lines += [
        f"{f['at']} · {markup_escape(str(f['what']))} · {markup_escape(str(f['error']))}"
        for f in faults[::-1]
    ]
    return "\n".join(lines)


def markup_escape(text: str) -> str:
    """Text shown inside Kivy markup as it is (a URL or a message may hold [ ] or &)."""
    return text.replace("&", "&amp;").replace("[", "&bl;").replace("]", "&br;")


def question_label(fields: Sequence[Mapping[str, Any]], active: str, language: str) -> str:
    field = next((f for f in fields if f["name"] == active), None)
    if field is None:
        return ""
    return _pick(field, "label", language) + (" *" if field.get("required") else "")


def answer_text(
    fields: Sequence[Mapping[str, Any]],
    values: Mapping[str, str],
    active: str,
    kind: str,
    language: str,
    own_id: str = "",
) -> str:
    """The answer being typed, with a cursor; a date shows what is still to come (dd/mm/yyyy). The
    citizen's own ID number, filled in from the identify step they already checked, stays masked."""
    field = next((f for f in fields if f["name"] == active), None)
    if field is None:
        return ""
    value = str(values.get(active, ""))
    if field.get("type") == "personal_id":
        # the citizen's own, already checked on the identify screen, stays masked; a number being
        # typed is shown in threes, like the identify screen's, so it can be checked against the card
        return (mask_id(value) if own_id and value == own_id else grouped_id(value)) + "|"
    if field.get("type") == "date":
        hint = "nn/tt/nnnn" if language == "vi" else "dd/mm/yyyy"
        return value + "|" + hint[len(value) :]
    return value + "|"


def choice_items(
    fields: Sequence[Mapping[str, Any]], values: Mapping[str, str], active: str
) -> list[dict[str, Any]]:
    field = next((f for f in fields if f["name"] == active), None)
    if field is None or answers.input_kind(dict(field)) != "choice":
        return []
    chosen = str(values.get(active, ""))
    return [
        {"key": c["value"], "label": c["label"], "selected": c["value"] == chosen}
        for c in answers.choices(dict(field))
    ]


def review_answers(
    fields: Sequence[Mapping[str, Any]],
    values: Mapping[str, str],
    language: str,
    revealed: Sequence[str] = (),
) -> list[dict[str, Any]]:
    """Each answer for the review: the question, the answer in words, and a "Sửa" to change it.

    The review is read in a public hall: an ID number is masked like everywhere else ("001******567"),
    with "Hiện số" beside it for the citizen who wants to check it (`revealed`: the ones shown whole)."""
    rows = []
    for field in fields:
        name = str(field["name"])
        value = str(values.get(name, ""))
        shown = say(answers.shown_value(dict(field), value), language) if value else ""
        row = {"key": name, "label": _pick(field, "label", language), "value": shown or "…"}
        if field.get("type") == "personal_id" and value:
            open_ = name in revealed
            row["value"] = grouped_id(value) if open_ else mask_id(value)
            row["reveal"] = "hide" if open_ else "show"
        rows.append(row)
    return rows


def review_papers(
    papers: Sequence[Mapping[str, Any]], page_counts: Mapping[str, int], language: str
) -> list[dict[str, Any]]:
    """Each paper for the review: how it is supplied (on file, pages taken, not yet), and "Sửa"."""
    rows = []
    for paper in papers:
        kind = str(paper.get("type", ""))
        pages = page_counts.get(kind, 0)
        if paper.get("status") in ("on_file", "uploaded") and not pages:
            note, editable = say(T["prepare.on_file"], language), False
        elif pages:
            note, editable = say(T["scan.pages"], language).format(count=pages), True
        elif paper.get("needed"):
            note, editable = say(T["submit.not_given"], language), True
        else:
            note, editable = say(T["prepare.optional"], language), True
        rows.append(
            {"key": kind, "label": _pick(paper, "name", language), "value": note, "editable": editable}
        )
    return rows
