from publicity.views import model_units, records, training

app_name = "publicity"

urlpatterns = records.urlpatterns + model_units.urlpatterns + training.urlpatterns
