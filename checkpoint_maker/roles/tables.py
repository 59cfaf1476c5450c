"""Maker > Administration > Roles list as a table: each role, its member count, and the Edit
and Delete links the user may follow."""

from django.urls import reverse
from django_tables2 import A, Column

from checkpoint_maker.permissions import permitted_ids
from checkpoint_maker.tables import ActionsColumn, MakerTable


class RoleTable(MakerTable):
    name = Column(verbose_name="Name", linkify=("roles:role_edit", {"pk": A("pk")}))
    member_count = Column(verbose_name="Members")
    actions = ActionsColumn()
    row_actions = (("edit", "Edit", "change"), ("delete", "Delete", "delete"))

    class Meta(MakerTable.Meta):
        """The Maker table's options (tables2 does not inherit an undeclared Meta)."""

    def __init__(self, rows, *, user, **kwargs):
        super().__init__(rows, **kwargs)
        roles = self.data.data
        self.allowed = {
            action: permitted_ids(user, action, roles) for _, _, action in self.row_actions
        }

    def row_links(self, record) -> list[tuple[str, str]]:
        return [
            (label, reverse(f"roles:role_{name}", kwargs={"pk": record.pk}))
            for name, label, action in self.row_actions
            if record.pk in self.allowed[action]
        ]
