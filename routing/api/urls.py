app_name = "routing"

urlpatterns = []
