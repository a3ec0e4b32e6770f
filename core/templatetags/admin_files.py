"""The URL a read-only file field of the admin links to (templates/unfold/helpers/field_readonly_value_file.html)."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.simple_tag
def admin_file_url(field: Any) -> str | bool:
    """``model_admin.file_download_url(obj, name)`` when the admin has one (a download view that checks
    who asks), else the file's storage URL."""
    hook = getattr(getattr(field, "model_admin", None), "file_download_url", None)
    if hook is not None and field.form.instance.pk is not None:
        return hook(field.form.instance, field.field["field"]) or False
    return field.url
