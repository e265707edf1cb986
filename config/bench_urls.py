"""The production URLs plus a minimal page that reads 12 rows in one query and
renders them in a template (after TechEmpower's "fortunes"): the yardstick for
the benchmark's ratios. Served only by config.bench_settings."""

from django.db import connection
from django.http import HttpResponse
from django.template import engines
from django.urls import path

from config.urls import urlpatterns as production

_PAGE = engines["django"].from_string(
    "<!DOCTYPE html><html><head><title>Fortunes</title></head><body><table>"
    "<tr><th>id</th><th>message</th></tr>"
    "{% for id, message in rows %}<tr><td>{{ id }}</td><td>{{ message }}</td></tr>{% endfor %}"
    "</table></body></html>"
)


def fortunes(request):
    with connection.cursor() as cursor:
        cursor.execute("SELECT id, title FROM journal_observation ORDER BY id LIMIT 12")
        rows = cursor.fetchall()
    return HttpResponse(_PAGE.render({"rows": rows}))


urlpatterns = [path("bench/fortunes/", fortunes), *production]
