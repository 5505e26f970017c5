from django.urls import re_path

from draas_dashboard.content.reports import views

urlpatterns = [
    re_path(r"^$", views.IndexView.as_view(), name="index"),
    re_path(
        r"^download/(?P<file_format>csv|html)/$", views.DownloadView.as_view(), name="download"
    ),
]
