"""URLs of the open data (ideas/opendata.py), included at /open-data/ in config/urls.py outside i18n_patterns:
the files are language-neutral, so they have one address each."""

from django.urls import path

from ideas import opendata

app_name = "opendata"

urlpatterns = [
    path("catalog.jsonld", opendata.catalog_jsonld, name="catalog"),
    path("ideas.csv", opendata.dataset_csv, {"name": "ideas"}, name="ideas_csv"),
    path("ideas.json", opendata.dataset_json, {"name": "ideas"}, name="ideas_json"),
    path("results.csv", opendata.dataset_csv, {"name": "results"}, name="results_csv"),
    path("results.json", opendata.dataset_json, {"name": "results"}, name="results_json"),
    path("results/<int:result_id>.pb", opendata.result_pb, name="result_pb"),
    path("delivery.csv", opendata.dataset_csv, {"name": "delivery"}, name="delivery_csv"),
    path("delivery.json", opendata.dataset_json, {"name": "delivery"}, name="delivery_json"),
]
