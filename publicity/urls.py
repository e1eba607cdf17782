from publicity.views import model_units, records

app_name = "publicity"

urlpatterns = records.urlpatterns + model_units.urlpatterns
