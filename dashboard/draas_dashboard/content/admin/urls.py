from django.urls import re_path

from draas_dashboard.content.admin import views

OPERATION = r"^operations/(?P<project_id>[A-Za-z0-9_-]+)/(?P<operation_id>[A-Za-z0-9_.:-]+)/"

urlpatterns = [
    re_path(r"^$", views.IndexView.as_view(), name="index"),
    re_path(OPERATION + r"$", views.OperationView.as_view(), name="operation"),
    re_path(OPERATION + r"progress/$", views.ProgressView.as_view(), name="progress"),
]
