from django.urls import re_path

from draas_dashboard.content.groups import views

GROUP = r"^(?P<group_id>[A-Za-z0-9_.:-]+)/"

urlpatterns = [
    re_path(r"^$", views.IndexView.as_view(), name="index"),
    re_path(r"^create/$", views.CreateView.as_view(), name="create"),
    re_path(GROUP + r"$", views.DetailView.as_view(), name="detail"),
    re_path(GROUP + r"add_vm/$", views.AddVmView.as_view(), name="add_vm"),
    re_path(GROUP + r"split/$", views.SplitView.as_view(), name="split"),
    re_path(GROUP + r"edit_targets/$", views.EditTargetsView.as_view(), name="edit_targets"),
    re_path(GROUP + r"test_failover/$", views.TestFailoverView.as_view(), name="test_failover"),
    re_path(GROUP + r"failover/$", views.FailoverView.as_view(), name="failover"),
    re_path(GROUP + r"reprotect/$", views.ReprotectView.as_view(), name="reprotect"),
    re_path(GROUP + r"failback/$", views.FailbackView.as_view(), name="failback"),
    re_path(GROUP + r"move/$", views.MoveView.as_view(), name="move"),
    re_path(
        GROUP + r"run_scheduled_test/$",
        views.RunScheduledTestView.as_view(),
        name="run_scheduled_test",
    ),
]
