from django import template

register = template.Library()


@register.filter
def strings(values) -> set[str]:
    """A bound field's value as strings, to ask whether an option is chosen."""
    if values is None:
        return set()
    if not isinstance(values, (list, tuple, set)):
        values = [values]
    return {str(value) for value in values}


@register.filter
def get(mapping, key):
    return mapping.get(key) if mapping else None


@register.filter
def family_areas(tags) -> list[str]:
    """The areas of an entry's aspects in plain words, each once, for families."""
    names: list[str] = []
    for tag in tags:
        name = tag.aspect.area.words_for_families
        if name not in names:
            names.append(name)
    return names


@register.filter
def change_from(cell, before) -> str:
    """Percentage points gained since the compared period: "+12", "−3", "0"."""
    if cell is None or before is None or cell.percent is None or before.percent is None:
        return "—"
    points = cell.percent - before.percent
    return f"+{points}" if points > 0 else (f"−{-points}" if points < 0 else "0")
