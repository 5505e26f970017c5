from django.urls import re_path

from draas_dashboard.content.alerts import views

ALERT = r"^(?P<alert_id>[A-Za-z0-9_.:-]+)/"

urlpatterns = [
    re_path(r"^$", views.IndexView.as_view(), name="index"),
    re_path(r"^channels/create/$", views.CreateChannelView.as_view(), name="create_channel"),
    re_path(ALERT + r"$", views.DetailView.as_view(), name="detail"),
    re_path(ALERT + r"acknowledge/$", views.AcknowledgeView.as_view(), name="acknowledge"),
]
