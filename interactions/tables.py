"""Interactions history list as a table (newest first, paged by cursor in the view); its
exports come from it too."""

import datetime

from django.template.loader import render_to_string
from django.utils.html import format_html, format_html_join
from django_tables2 import Column

from checkpoint_maker.tables import MakerTable

TIME_FORMAT = "%Y-%m-%d %H:%M:%S"


class InteractionTable(MakerTable):
    pk = Column(verbose_name="Interaction")
    started_at = Column(verbose_name="Started (UTC)")
    channel = Column(verbose_name="Channel")
    status = Column(verbose_name="Status", empty_values=())
    customer = Column(verbose_name="Customer")
    subject = Column(verbose_name="Subject")
    tags = Column(verbose_name="Tags", empty_values=())

    class Meta(MakerTable.Meta):
        attrs = {"class": "object-list interaction-list"}

    def render_pk(self, record):
        return format_html(
            '<a href="{}" aria-label="Interaction #{}">#{}</a>',
            record.get_absolute_url(),
            record.pk,
            record.pk,
        )

    def value_pk(self, record):
        return record.pk

    def render_started_at(self, value):
        moment = value.astimezone(datetime.UTC)
        return format_html(
            '<time datetime="{}">{}</time>', moment.isoformat(), moment.strftime(TIME_FORMAT)
        )

    def value_started_at(self, value):
        return value.astimezone(datetime.UTC).strftime(TIME_FORMAT)

    def render_status(self, record):
        return render_to_string("interactions/status_badge.html", {"interaction": record})

    def value_status(self, record):
        return "Live" if record.is_live else "Closed"

    def render_tags(self, record):
        tags = record.tags.all()
        if not tags:
            return format_html('<span class="muted">{}</span>', "—")
        return format_html_join("", '<span class="chip">{}</span>', ((tag.name,) for tag in tags))

    def value_tags(self, record):
        return ", ".join(tag.name for tag in record.tags.all())
