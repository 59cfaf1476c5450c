from django.contrib.auth.mixins import LoginRequiredMixin
from django.shortcuts import render
from django.views import View


class RoleListView(LoginRequiredMixin, View):
    def get(self, request):
        return render(request, "maker/home.html")
