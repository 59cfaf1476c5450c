"""Smart Routing list as a table; its exports come from it too."""

from django_tables2 import Column

from checkpoint_maker.tables import ObjectTable, UTCDateTimeColumn
from routing.models import SmartRouting


class SmartRoutingTable(ObjectTable):
    name = Column(verbose_name="Name", linkify=True)
    channel = Column(verbose_name="Channel")
    updated_at = UTCDateTimeColumn(verbose_name="Last changed")

    class Meta(ObjectTable.Meta):
        model = SmartRouting
        fields = ("name", "channel", "updated_at")
