from reporting.views import archive, articles, exports, reports

app_name = "reporting"

urlpatterns = reports.urlpatterns + exports.urlpatterns + articles.urlpatterns + archive.urlpatterns
