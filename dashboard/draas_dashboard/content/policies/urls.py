from django.urls import re_path

from draas_dashboard.content.policies import views

# A policy by id (a UUID) or name (printable text, no slash).
POLICY = r"^(?P<policy_id>[^/]+)/"

urlpatterns = [
    re_path(r"^$", views.IndexView.as_view(), name="index"),
    re_path(r"^create/$", views.CreateView.as_view(), name="create"),
    re_path(POLICY + r"$", views.DetailView.as_view(), name="detail"),
    re_path(POLICY + r"edit/$", views.EditView.as_view(), name="edit"),
]
