from django.urls import URLPattern, URLResolver

app_name = "designer"
urlpatterns: list[URLPattern | URLResolver] = []
