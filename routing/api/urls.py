from rest_framework.routers import SimpleRouter

from routing.api.views import SmartRoutingViewSet

app_name = "routing"

router = SimpleRouter()
router.register("routings", SmartRoutingViewSet, basename="smartrouting")
urlpatterns = router.urls
