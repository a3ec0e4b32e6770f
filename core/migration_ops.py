"""Migration operations the ORM does not offer."""

from __future__ import annotations

from typing import Any

from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.operations import AddConstraint
from django.db.migrations.state import ProjectState


class AddConstraintNotValid(AddConstraint):
    """Add a CHECK constraint that binds every new or changed row but leaves existing rows unchecked.

    PostgreSQL's ``ADD CONSTRAINT ... NOT VALID``: a migration cannot fail on rows
    written before the rule existed. ``manage.py check_plausibility`` lists those
    rows; once they are corrected, ``ALTER TABLE ... VALIDATE CONSTRAINT`` (or
    ``check_plausibility --validate``) makes the constraint cover them too.
    """

    model_name: str
    constraint: Any  # a CheckConstraint

    def database_forwards(
        self,
        app_label: str,
        schema_editor: BaseDatabaseSchemaEditor,
        from_state: ProjectState,
        to_state: ProjectState,
    ) -> None:
        model = to_state.apps.get_model(app_label, self.model_name)
        if self.allow_migrate_model(schema_editor.connection.alias, model):
            sql = self.constraint.create_sql(model, schema_editor)
            schema_editor.execute(f"{sql} NOT VALID")

    def describe(self) -> str:
        return f"Create constraint {self.constraint.name} on model {self.model_name} (NOT VALID)"
