import pytest

from checkpoints.models import Checkpoint
from interactions.services import create_interaction


@pytest.fixture
def optin_checkpoints(db):
    return {
        lang: Checkpoint.objects.create(
            name=f"Opt-in {lang}", reference=f"optin_{lang}", alias=f"optin-{lang}"
        )
        for lang in ("fr", "en")
    }


@pytest.fixture
def voice_interaction(db):
    return create_interaction(channel="voice", customer="+33100000000", variables={"lang": "fr"})
