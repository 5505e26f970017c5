from django.urls import re_path

from draas_dashboard.content.operations import views

OPERATION = r"^(?P<operation_id>[A-Za-z0-9_.:-]+)/"

urlpatterns = [
    re_path(r"^$", views.IndexView.as_view(), name="index"),
    re_path(OPERATION + r"$", views.DetailView.as_view(), name="detail"),
    re_path(OPERATION + r"progress/$", views.ProgressView.as_view(), name="progress"),
    re_path(OPERATION + r"cleanup/$", views.CleanupView.as_view(), name="cleanup"),
]
