"""Smart Routing editor pages (placeholder until the editor lands)."""

from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import HttpResponse
from django.views import View


class SmartRoutingListView(LoginRequiredMixin, View):
    def get(self, request):
        return HttpResponse("Smart Routing")


class SmartRoutingDetailView(LoginRequiredMixin, View):
    def get(self, request, pk):
        return HttpResponse("Smart Routing")
