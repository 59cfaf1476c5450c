"""The role form: name, members and the entity-by-right matrix (one checkbox per right)."""

from django import forms
from django.contrib.auth import get_user_model

from checkpoint_maker.roles.entities import Right, matrix_rights
from checkpoint_maker.roles.services import NAME_MAX_LENGTH


class MemberChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, user) -> str:
        full_name = user.get_full_name()
        username = user.get_username()
        return f"{full_name} ({username})" if full_name else username


class RoleForm(forms.Form):
    name = forms.CharField(label="Name", max_length=NAME_MAX_LENGTH)
    members = MemberChoiceField(
        label="Members",
        queryset=get_user_model()._default_manager.order_by("username"),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
        help_text="The users who have this role. Hold Ctrl (or ⌘) to select several.",
    )

    def __init__(self, data=None, *, group=None, read_only: bool = False):
        """``group``: the role being edited; the form then starts from its current state."""
        super().__init__(data)
        self.matrix = matrix_rights()
        granted = set(group.permissions.values_list("pk", flat=True)) if group else set()
        for row in self.matrix:
            for right in row:
                if right is not None:
                    self.fields[right.field_name] = forms.BooleanField(
                        label=right.label,
                        required=False,
                        initial=right.permission.pk in granted,
                    )
        if group is not None:
            self.fields["name"].initial = group.name
            self.fields["members"].initial = list(group.user_set.all())
        if read_only:
            for field in self.fields.values():
                field.disabled = True

    def matrix_rows(self) -> list[dict]:
        """For the template: each entity with its bound checkboxes (None where absent)."""
        return [
            {
                "label": next(right for right in row if right).entity.label,
                "cells": [self[right.field_name] if right else None for right in row],
            }
            for row in self.matrix
            if any(row)
        ]

    def ticked_rights(self) -> list[Right]:
        return [
            right
            for row in self.matrix
            for right in row
            if right is not None and self.cleaned_data.get(right.field_name)
        ]
