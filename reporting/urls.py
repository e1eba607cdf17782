from reporting.views import archive, articles, exports, ledgers, reports

app_name = "reporting"

urlpatterns = (
    reports.urlpatterns
    + exports.urlpatterns
    + articles.urlpatterns
    + archive.urlpatterns
    + ledgers.urlpatterns
)
