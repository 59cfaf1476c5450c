"""Who may open the Statistics pages: the login page for anonymous visitors, 403 without
``interactions.view_statistics`` (role-wide) or with the Smart licence off; the menu entry and
the Roles page's Read-only "Statistics" row."""

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from checkpoint_maker.licence import LICENCE_MESSAGE
from tests.conftest import make_user

PAGES = ["overview", "funnel", "ab", "journeys"]
STATISTICS = "interactions.view_statistics"
MENU_ENTRY = '<a href="/statistics/"'


@pytest.mark.parametrize("name", PAGES)
def test_anonymous_visitors_go_to_the_login_page(client, db, name):
    url = reverse(f"statistics:{name}")
    response = client.get(url, {"export": "csv"})
    assert response.status_code == 302
    assert response["Location"].startswith(f"{reverse('login')}?next=")


@pytest.mark.parametrize("name", PAGES)
def test_without_the_right_every_page_and_csv_answers_403(client, db, name):
    client.force_login(make_user("agent", ["interactions.view_interaction"]))
    url = reverse(f"statistics:{name}")
    assert client.get(url).status_code == 403
    assert client.get(url, {"export": "csv"}).status_code == 403


@pytest.mark.parametrize("name", PAGES)
def test_with_the_right_every_page_answers(client, db, name):
    client.force_login(make_user("supervisor", [STATISTICS]))
    response = client.get(reverse(f"statistics:{name}"))
    assert response.status_code == 200
    assert '<nav class="statistics-nav" aria-label="Statistics reports">' in response.text


def test_a_right_given_to_the_user_directly_counts_too(client, db):
    user = make_user("direct")
    user.user_permissions.add(Permission.objects.get(codename="view_statistics"))
    client.force_login(user)
    assert client.get(reverse("statistics:overview")).status_code == 200


@pytest.mark.parametrize("name", PAGES)
def test_the_licence_off_refuses_every_page(client, db, settings, name):
    settings.SMART_LICENCE = False
    client.force_login(make_user("supervisor", [STATISTICS]))
    response = client.get(reverse(f"statistics:{name}"))
    assert response.status_code == 403
    assert LICENCE_MESSAGE in response.text
    anonymous = client.__class__()
    assert anonymous.get(reverse(f"statistics:{name}")).status_code == 302


def test_the_menu_entry_shows_only_with_the_right_and_the_licence(client, db, settings):
    client.force_login(make_user("supervisor", [STATISTICS]))
    home = client.get(reverse("statistics:overview")).text
    assert f'{MENU_ENTRY} aria-current="page">Statistics</a>' in home
    settings.SMART_LICENCE = False
    assert MENU_ENTRY not in client.get(reverse("home")).text

    settings.SMART_LICENCE = True
    client.force_login(make_user("agent", ["interactions.view_interaction"]))
    assert MENU_ENTRY not in client.get(reverse("interactions:interaction_list")).text


def test_the_roles_page_shows_statistics_with_read_only(client, db):
    client.force_login(make_user("manager", ["auth.add_group", "auth.change_group"]))
    html = client.get(reverse("roles:role_add")).text
    row = html.split('<th scope="row">Statistics</th>')[1].split("</tr>")[0]
    assert 'id="id_right_interactions_statistics_view"' in row
    assert "Statistics: Read" in row
    assert row.count('<span class="muted">—</span>') == 3
