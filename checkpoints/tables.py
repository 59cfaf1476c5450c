"""Toolbox > Checkpoints list as a table; its exports come from it too."""

from django_tables2 import Column

from checkpoint_maker.tables import ObjectTable
from checkpoints.models import Checkpoint


class CheckpointTable(ObjectTable):
    name = Column(verbose_name="Name", linkify=True)
    reference = Column(verbose_name="Reference")
    alias = Column(verbose_name="Alias")

    class Meta(ObjectTable.Meta):
        model = Checkpoint
        fields = ("name", "reference", "alias")
