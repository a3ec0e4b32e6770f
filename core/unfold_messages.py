"""The admin theme's own texts, listed so that ``makemessages`` collects them for translation.

django-unfold ships no translations; Django's own catalogue covers the texts it
shares with Django's admin (Save, Delete, Filters...). The texts below are the
rest, exactly as unfold's templates and code write them (the plural keeps the
template's line breaks). Nothing imports this module. ``tests/test_translations.py``
checks that every text of the installed unfold reads in Chinese, so an upgrade
that adds texts fails until they are listed here and translated.
"""

from django.utils.translation import gettext_noop, ngettext_lazy

TEXTS = (
    gettext_noop("After you've created a user, you’ll be able to edit more user options."),  # noqa: RUF001 - as unfold writes it
    gettext_noop("All applications"),
    gettext_noop("Apply Filters"),
    gettext_noop("Cancel"),
    gettext_noop("Choose file to upload"),
    gettext_noop("Click to cancel"),
    gettext_noop("Dark"),
    gettext_noop("Dataset not found. No action performed."),
    gettext_noop("Date"),
    gettext_noop("Expand row"),
    gettext_noop("General"),
    gettext_noop("Go back"),
    gettext_noop("Light"),
    gettext_noop("Loading more results..."),
    gettext_noop("More actions"),
    gettext_noop("Next"),
    gettext_noop("No data"),
    gettext_noop("No recent searches"),
    gettext_noop("No results found"),
    gettext_noop("No results matching your query"),
    gettext_noop("Previous"),
    gettext_noop("Recent searches"),
    gettext_noop("Record picture"),
    gettext_noop("Reset filters"),
    gettext_noop("Return to site"),
    gettext_noop("Run"),
    gettext_noop("Search apps and models..."),
    gettext_noop("Select action"),
    gettext_noop("Select action to run"),
    gettext_noop("Select all rows"),
    gettext_noop("Select currency"),
    gettext_noop("Select record"),
    gettext_noop("Select value"),
    gettext_noop("Submit"),
    gettext_noop("System"),
    gettext_noop("This item will be deleted."),
    gettext_noop("This page yielded into no results. Create a new item or reset your filters."),
    gettext_noop("Toggle password visibility"),
    gettext_noop("True"),
    gettext_noop("Type to search"),
    gettext_noop("Welcome"),
    gettext_noop("Welcome back to"),
    gettext_noop("You can not create nested object without parent"),
    gettext_noop("You have been successfully logged out from the administration"),
)

# The command palette's count of results (a blocktranslate with count).
PLURALS = (
    ngettext_lazy(
        "\n                Found %(counter)s result in %(time)s seconds\n            ",
        "\n                Found %(counter)s results in %(time)s seconds\n            ",
        "counter",
    ),
)
