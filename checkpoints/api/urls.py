from rest_framework.routers import SimpleRouter

from checkpoints.api.views import CheckpointViewSet

app_name = "checkpoints"

router = SimpleRouter()
router.register("checkpoints", CheckpointViewSet, basename="checkpoint")
urlpatterns = router.urls
