import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_list_page_renders_for_full_user(full_client, checkpoint):
    response = full_client.get(reverse("checkpoints:checkpoint_list"))
    assert response.status_code == 200
    assert "Recognised customer" in response.text
