"""Interactions pages (placeholder until the pages land)."""

from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import HttpResponse
from django.views import View


class InteractionListView(LoginRequiredMixin, View):
    def get(self, request):
        return HttpResponse("Interactions")


class InteractionDetailView(LoginRequiredMixin, View):
    def get(self, request, pk):
        return HttpResponse("Interaction")
