from django.urls import re_path

from draas_dashboard.content.audit import views

urlpatterns = [
    re_path(r"^$", views.IndexView.as_view(), name="index"),
    re_path(r"^csv/$", views.CsvView.as_view(), name="csv"),
    re_path(r"^(?P<event_id>[A-Za-z0-9-]+)/$", views.DetailView.as_view(), name="detail"),
]
