app_name = "interactions"

urlpatterns = []
