from django.urls import path

from notifications import views

app_name = "notifications"

urlpatterns = [
    path("", views.notification_list, name="list"),
    path("<int:pk>/", views.notification_open, name="open"),
    path("read-all/", views.notification_mark_all_read, name="mark_all_read"),
    path("settings/", views.notice_preferences, name="preferences"),
    path("robots/", views.robot_unit_list, name="robot_units"),
    path("robots/<int:pk>/", views.unit_robots, name="unit_robots"),
]
