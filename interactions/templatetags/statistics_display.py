"""Template filters of the statistics pages: ``{% load statistics_display %}``."""

from django import template

from interactions.statistics import display

register = template.Library()

register.filter("duration", display.duration_text)
register.filter("percent", display.percent_text)
register.filter("points", display.points_text)
