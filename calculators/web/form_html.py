"""The HTML of a widget's form fields."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from calculators.web.forms import Field
from calculators.web.html import esc


def form_fields_html(widget_id: str, fields: Sequence[Field], values: Mapping[str, str]) -> str:
    """The form controls of a widget, labelled, each with its error slot."""
    parts = []
    group = None
    for spec in fields:
        if spec.group != group:
            if group is not None:
                parts.append("</fieldset>")
            group = spec.group
            parts.append(
                f'<fieldset class="kb-calc__group"><legend>{esc(group)}</legend>'
                if group
                else '<fieldset class="kb-calc__group">'
            )
        control_id = f"{widget_id}-{spec.name}"
        error_id = f"{control_id}-error"
        hint_id = f"{control_id}-hint"
        described = error_id + (f" {hint_id}" if spec.hint else "")
        value = values.get(spec.name, "")
        common = (
            f'id="{esc(control_id)}" name="{esc(spec.name)}" aria-describedby="{esc(described)}"'
        )
        parts.append(f'<div class="kb-calc__field" data-field-name="{esc(spec.name)}">')
        if spec.kind == "multi":
            chosen = {v for v in value.split(",") if v}
            parts.append(
                f'<fieldset class="kb-calc__checks" id="{esc(control_id)}" '
                f'aria-describedby="{esc(described)}" data-multi="{esc(spec.name)}">'
                f"<legend>{esc(spec.label)}</legend>"
            )
            for option, label in spec.options:
                checked = " checked" if option in chosen else ""
                parts.append(
                    f'<label><input type="checkbox" name="{esc(spec.name)}" '
                    f'value="{esc(option)}"{checked}> {esc(label)}</label>'
                )
            parts.append("</fieldset>")
        else:
            parts.append(f'<label for="{esc(control_id)}">{esc(spec.label)}</label>')
            if spec.kind == "select":
                options = []
                if not spec.required:
                    options.append('<option value="">None</option>')
                for option, label in spec.options:
                    selected = " selected" if option == value else ""
                    options.append(f'<option value="{esc(option)}"{selected}>{esc(label)}</option>')
                parts.append(f"<select {common}>{''.join(options)}</select>")
            elif spec.kind == "textarea":
                parts.append(f'<textarea {common} rows="3">{esc(value)}</textarea>')
            else:
                kind = {"date": "date", "integer": "number", "decimal": "text"}.get(
                    spec.kind, "text"
                )
                extra = ""
                if spec.kind == "integer":
                    extra = ' inputmode="numeric" step="1"'
                    if spec.minimum is not None:
                        extra += f' min="{spec.minimum}"'
                    if spec.maximum is not None:
                        extra += f' max="{spec.maximum}"'
                elif spec.kind == "decimal":
                    extra = ' inputmode="decimal"'
                parts.append(f'<input type="{kind}" {common} value="{esc(value)}"{extra}>')
        if spec.hint:
            parts.append(f'<p class="kb-calc__hint" id="{esc(hint_id)}">{esc(spec.hint)}</p>')
        parts.append(f'<p class="kb-calc__error" id="{esc(error_id)}" hidden></p></div>')
    if group is not None:
        parts.append("</fieldset>")
    return "".join(parts)
