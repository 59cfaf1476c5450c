from rest_framework.routers import SimpleRouter

from interactions.api.views import InteractionViewSet

app_name = "interactions"

router = SimpleRouter()
router.register("interactions", InteractionViewSet, basename="interaction")
urlpatterns = router.urls
