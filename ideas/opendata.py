"""Open data for a national open-data portal: public ideas, published results and delivery, as CSV and JSON,
each counted `.pb` file, and a DCAT-AP catalogue (JSON-LD) that describes them all.

Wired in config/urls.py under /open-data/ (ideas/opendata_urls.py), outside i18n_patterns: the files are the same
in every language (codes, not labels; the catalogue carries its titles in Latvian and English).

What is published is what the site already shows everyone, and nothing about people:

- ideas: only public ones (ideas.statuses.PUBLIC), never their author, the workshop attendee an idea is credited
  to, the staff member who entered it, consent dates, comments, supports or ballots;
- results: only published counts (ideas.voting.results.published); the counted file is served byte for byte as
  it was counted (its SHA-256 is in the catalogue and in every row), and it is anonymised by its export
  (ideas/voting/pabulib_io.export_round);
- delivery: funded ideas (ideas.delivery.funded_ideas), never who posted an update.

The builders (`idea_rows`, `result_rows`, `delivery_rows`, `catalog`) are plain functions over querysets; rows keep
typed values (Decimal, date, bool) so that JSON writes amounts as exact strings (as the API does) and CSV
neutralises only text against formula injection (home/exports.neutralise), leaving `-5` a number. Every file is
built with a fixed number of queries, whatever the number of rows.
"""

import csv
import datetime
import io
import json

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist
from django.core.serializers.json import DjangoJSONEncoder
from django.http import Http404, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_safe

from home.exports import neutralise
from ideas.counting.pabulib import parse_text
from ideas.delivery import funded_ideas
from ideas.models import BudgetRoundPage, Idea, RoundResult
from ideas.models.delivery import DELIVERED_PREFIX, IMPACT_FIELDS
from ideas.voting.results import published

# How long a harvester or a proxy may keep a file: the data change a few times a day at most.
MAX_AGE = 300
LICENSE = getattr(settings, "KOPA_OPEN_DATA_LICENSE", "https://creativecommons.org/licenses/by/4.0/")

IDEA_FIELDS = [
    "id",
    "round",
    "round_name",
    "title",
    "summary",
    "category",
    "area",
    "status",
    "estimated_cost",
    "official_cost",
    "cofunding",
    "net_cost",
    "latitude",
    "longitude",
    *IMPACT_FIELDS,
    "url",
    "published",
]
RESULT_FIELDS = [
    "result",
    "round",
    "round_name",
    "area",
    "rule",
    "counted_at",
    "published_at",
    "idea",
    "title",
    "votes",
    "score",
    "selected",
    "cost_counted",
    "pb_url",
    "pb_sha256",
]
MILESTONE_FIELDS = ["title", "planned_date", "actual_date", "days_late"]
DELIVERY_FIELDS = [
    "idea",
    "round",
    "round_name",
    "title",
    "category",
    "area",
    "status",
    "delivery_state",
    "progress",
    "planned_completion",
    "completed_on",
    "days_late",
    "allocated",
    "final_cost",
    "cancel_reason",
    *[f"promised_{name}" for name in IMPACT_FIELDS],
    *[f"{DELIVERED_PREFIX}{name}" for name in IMPACT_FIELDS],
    "milestones",
    "milestones_reached",
    "url",
]
# In CSV the milestones list becomes its count (the JSON file has each milestone).
CSV_FLATTEN = {"milestones": len}

IANA = "http://www.iana.org/assignments/media-types/"
EU_FILE_TYPE = "http://publications.europa.eu/resource/authority/file-type/"
EU_LANGUAGE = "http://publications.europa.eu/resource/authority/language/"
EU_THEME = "http://publications.europa.eu/resource/authority/data-theme/"
FORMATS = {
    "csv": ("text/csv", "CSV"),
    "json": ("application/json", "JSON"),
    "pb": ("text/plain", "TXT"),
}


# Builders -------------------------------------------------------------------------------------------------


def _code(snippet):
    return snippet.code if snippet is not None else ""


def _day(moment):
    """The calendar date of a stored moment in the site's time zone (None stays None)."""
    return timezone.localdate(moment) if moment else None


def round_pages(round_ids):
    """round id -> its live page in the default language (else in any language), in one query."""
    pages = BudgetRoundPage.objects.live().filter(budget_round_id__in=set(round_ids)).select_related("locale")
    default = settings.LANGUAGE_CODE.split("-")[0]
    chosen = {}
    for page in pages.order_by("pk"):
        current = chosen.get(page.budget_round_id)
        if current is None or (
            page.locale.language_code == default and current.locale.language_code != default
        ):
            chosen[page.budget_round_id] = page
    return chosen


def _idea_url_maker(round_ids, request):
    """A function idea -> absolute URL of its public page ("" when its round has no live page)."""
    pages = round_pages(round_ids)
    bases = {round_id: page.get_full_url(request) or "" for round_id, page in pages.items()}

    def url(idea):
        page = pages.get(idea.round_id)
        if page is None or not bases[idea.round_id]:
            return ""
        return (
            bases[idea.round_id].rstrip("/") + "/" + page.reverse_subpage("idea", args=[idea.pk]).lstrip("/")
        )

    return url


def public_ideas():
    return Idea.objects.public().select_related("round", "category", "area").order_by("round_id", "pk")


def idea_rows(ideas, request=None):
    """One row per public idea: what it is, where, what it costs, its promised impact and its page."""
    ideas = list(ideas)
    url = _idea_url_maker({idea.round_id for idea in ideas}, request)
    rows = []
    for idea in ideas:
        row = {
            "id": idea.pk,
            "round": idea.round_id,
            "round_name": idea.round.name,
            "title": idea.title,
            "summary": idea.summary,
            "category": _code(idea.category),
            "area": _code(idea.area),
            "status": idea.status,
            "estimated_cost": idea.estimated_cost,
            "official_cost": idea.official_cost,
            "cofunding": idea.cofunding,
            "net_cost": idea.net_cost,
            "latitude": idea.latitude,
            "longitude": idea.longitude,
        }
        row.update({name: getattr(idea, name) for name in IMPACT_FIELDS})
        row["url"] = url(idea)
        row["published"] = _day(idea.published_at)
        rows.append(row)
    return rows


def published_results():
    return published(RoundResult.objects.select_related("round", "area")).order_by("round_id", "pk")


# (result id, SHA-256) -> the projects its file counted; a snapshot never changes, so this never goes stale.
_COUNTED = {}


def _counted_projects(result):
    """project id -> (cost counted, name), read from the counted file itself (the cost the count used)."""
    key = (result.pk, result.pb_sha256)
    if key not in _COUNTED:
        election = parse_text(result.pb_file, source=f"result-{result.pk}.pb")
        if len(_COUNTED) > 256:
            _COUNTED.clear()
        _COUNTED[key] = {
            pid: (project.cost, project.fields.get("name", "")) for pid, project in election.projects.items()
        }
    return _COUNTED[key]


def result_rows(results, request=None):
    """One row per idea per published result: votes, score, selected or not, the cost the file counted, and
    the counted file with its hash."""
    results = list(results)
    projects = {result.pk: _counted_projects(result) for result in results}
    ids = {int(pid) for counted in projects.values() for pid in counted if pid.isdigit()}
    titles = dict(Idea.objects.public().filter(pk__in=ids).values_list("pk", "title"))
    rows = []
    for result in results:
        outcome = result.outcome or {}
        selected = {str(pid) for pid in outcome.get("selected", [])}
        votes = outcome.get("votes", {})
        scores = outcome.get("score", {})
        pb_url = _absolute(request, reverse("opendata:result_pb", args=[result.pk]))
        for pid, (cost, name) in projects[result.pk].items():
            rows.append(
                {
                    "result": result.pk,
                    "round": result.round_id,
                    "round_name": result.round.name,
                    "area": _code(result.area),
                    "rule": result.rule,
                    "counted_at": result.created_at,
                    "published_at": result.published_at,
                    "idea": int(pid) if pid.isdigit() else pid,
                    "title": titles.get(int(pid), name) if pid.isdigit() else name,
                    "votes": votes.get(pid, 0),
                    "score": scores.get(pid, votes.get(pid, 0)),
                    "selected": pid in selected,
                    "cost_counted": cost,
                    "pb_url": pb_url,
                    "pb_sha256": result.pb_sha256,
                }
            )
    return rows


def _delivery_of(idea):
    try:
        return idea.delivery
    except ObjectDoesNotExist:
        return None


def delivery_rows(ideas, request=None, today=None):
    """One row per funded idea: its delivery state, dates, money, promised and delivered impact, milestones."""
    ideas = list(ideas)
    today = today or timezone.localdate()
    url = _idea_url_maker({idea.round_id for idea in ideas}, request)
    rows = []
    for idea in ideas:
        delivery = _delivery_of(idea)
        milestones = list(delivery.milestones.all()) if delivery else []
        row = {
            "idea": idea.pk,
            "round": idea.round_id,
            "round_name": idea.round.name,
            "title": idea.title,
            "category": _code(idea.category),
            "area": _code(idea.area),
            "status": idea.status,
            "delivery_state": delivery.state if delivery else "",
            "progress": delivery.progress if delivery else 0,
            "planned_completion": delivery.planned_completion if delivery else None,
            "completed_on": delivery.completed_on if delivery else None,
            "days_late": delivery.days_late(today) if delivery else 0,
            "allocated": delivery.allocated if delivery else None,
            "final_cost": delivery.final_cost if delivery else None,
            "cancel_reason": delivery.cancel_reason if delivery else "",
        }
        row.update({f"promised_{name}": getattr(idea, name) for name in IMPACT_FIELDS})
        row.update(
            {
                f"{DELIVERED_PREFIX}{name}": delivery.delivered(name) if delivery else None
                for name in IMPACT_FIELDS
            }
        )
        row["milestones"] = [
            {
                "title": milestone.title,
                "planned_date": milestone.planned_date,
                "actual_date": milestone.actual_date,
                "days_late": milestone.days_late(today),
            }
            for milestone in milestones
        ]
        row["milestones_reached"] = sum(1 for milestone in milestones if milestone.actual_date is not None)
        row["url"] = url(idea)
        rows.append(row)
    return rows


def _csv_cell(value):
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime.datetime):
        return value.isoformat()
    if isinstance(value, str):
        return neutralise(value)
    return value


def to_csv(rows, fields):
    """UTF-8 CSV text with a header row; text cells that a spreadsheet could run are neutralised."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=fields, extrasaction="ignore")
    writer.writeheader()
    for row in rows:
        writer.writerow(
            {
                name: _csv_cell(CSV_FLATTEN[name](row[name]) if name in CSV_FLATTEN else row[name])
                for name in fields
            }
        )
    return out.getvalue()


def to_json(data):
    """UTF-8 JSON; exact amounts are strings ("12000.00"), dates ISO 8601."""
    return json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=1)


# The catalogue ----------------------------------------------------------------------------------------------

CONTEXT = {
    "dcat": "http://www.w3.org/ns/dcat#",
    "dct": "http://purl.org/dc/terms/",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "vcard": "http://www.w3.org/2006/vcard/ns#",
    "spdx": "http://spdx.org/rdf/terms#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
}

# Titles, descriptions and keywords of the catalogue in both languages (the catalogue is one file for all).
TEXTS = {
    "catalog": {
        "title": {
            "lv": "Līdzdalības budžeta atvērtie dati",
            "en": "Participatory budgeting open data",
        },
        "description": {
            "lv": "Iedzīvotāju idejas, publicētie balsošanas rezultāti ar saskaitītajiem .pb failiem un atbalstīto "
            "ideju īstenošana.",
            "en": "Residents' ideas, published vote results with the counted .pb files, and the delivery of the "
            "funded ideas.",
        },
    },
    "ideas": {
        "title": {"lv": "Iedzīvotāju idejas", "en": "Residents' ideas"},
        "description": {
            "lv": "Publiskās līdzdalības budžeta idejas: kārta, kategorija, teritorija, statuss, izmaksas, "
            "līdzfinansējums, atrašanās vieta un solītā zaļā ietekme. Bez personas datiem.",
            "en": "Public participatory-budget ideas: round, category, area, status, costs, co-funding, location "
            "and promised green impact. No personal data.",
        },
        "keywords": {"lv": ["līdzdalības budžets", "idejas"], "en": ["participatory budgeting", "ideas"]},
    },
    "results": {
        "title": {"lv": "Balsošanas rezultāti", "en": "Vote results"},
        "description": {
            "lv": "Publicētie skaitīšanas rezultāti: katras idejas balsis, izmaksas un vai tā atbalstīta, kā arī "
            "katrs saskaitītais Pabulib .pb fails ar SHA-256 kontrolsummu, lai ikviens var pārskaitīt.",
            "en": "Published counts: each idea's votes, cost and whether it was funded, and each counted Pabulib "
            ".pb file with its SHA-256 checksum, so anyone can recount.",
        },
        "keywords": {
            "lv": ["līdzdalības budžets", "balsošana", "Pabulib"],
            "en": ["participatory budgeting", "voting", "Pabulib"],
        },
    },
    "delivery": {
        "title": {"lv": "Atbalstīto ideju īstenošana", "en": "Delivery of funded ideas"},
        "description": {
            "lv": "Atbalstīto ideju īstenošanas gaita: stāvoklis, progress, plānotie un faktiskie termiņi, "
            "kavējums, piešķirtā un galīgā summa, solītā un paveiktā ietekme, starpposmi.",
            "en": "How funded ideas are delivered: state, progress, planned and actual completion, days late, "
            "allocated and final cost, promised and delivered impact, milestones.",
        },
        "keywords": {
            "lv": ["līdzdalības budžets", "īstenošana"],
            "en": ["participatory budgeting", "delivery"],
        },
    },
}


def _tagged(texts):
    return [{"@value": value, "@language": language} for language, value in texts.items()]


def _keywords(texts):
    return [{"@value": word, "@language": language} for language, words in texts.items() for word in words]


def _absolute(request, path):
    if request is not None:
        return request.build_absolute_uri(path)
    return settings.WAGTAILADMIN_BASE_URL.rstrip("/") + path


def publisher_names():
    """The municipality's name by language: the site texts (home.SiteText), else KOPA_OPEN_DATA_PUBLISHER."""
    from home.models import SiteText

    names = dict(SiteText.objects.values_list("locale__language_code", "site_name"))
    names = {language: names[language] for language in ("lv", "en") if names.get(language)}
    return names or {"lv": getattr(settings, "KOPA_OPEN_DATA_PUBLISHER", "Kopā")}


def _contact_email(request):
    from wagtail.models import Site

    from home.models import SiteSettings

    site = Site.find_for_request(request) if request is not None else None
    site = site or Site.objects.filter(is_default_site=True).first()
    return SiteSettings.for_site(site).email if site else ""


def _distribution(url, kind, title, checksum=None):
    media_type, file_type = FORMATS[kind]
    distribution = {
        "@id": url,
        "@type": "dcat:Distribution",
        "dct:title": title,
        "dcat:accessURL": {"@id": url},
        "dcat:downloadURL": {"@id": url},
        "dcat:mediaType": {"@id": IANA + media_type},
        "dct:format": {"@id": EU_FILE_TYPE + file_type},
        "dct:license": {"@id": LICENSE},
    }
    if checksum:
        distribution["spdx:checksum"] = {
            "@type": "spdx:Checksum",
            "spdx:algorithm": {"@id": "http://spdx.org/rdf/terms#checksumAlgorithm_sha256"},
            "spdx:checksumValue": {"@value": checksum, "@type": "xsd:hexBinary"},
        }
    return distribution


def catalog(request=None, results=None):
    """The DCAT-AP catalogue (JSON-LD) of the three datasets, their CSV and JSON files and each counted file."""
    if results is None:
        results = published_results().defer("pb_file", "outcome", "explanations")
    results = list(results)
    home = _absolute(request, "/")
    names = publisher_names()
    publisher = {"@id": home + "#publisher", "@type": "foaf:Agent", "foaf:name": _tagged(names)}
    email = _contact_email(request)
    contact = {"@type": "vcard:Organization", "vcard:fn": next(iter(names.values()))}
    if email:
        contact["vcard:hasEmail"] = {"@id": f"mailto:{email}"}
    datasets = []
    for name in ("ideas", "results", "delivery"):
        texts = TEXTS[name]
        distributions = [
            _distribution(
                _absolute(request, reverse(f"opendata:{name}_{kind}")),
                kind,
                f"{name}.{kind}",
            )
            for kind in ("csv", "json")
        ]
        if name == "results":
            distributions += [
                _distribution(
                    _absolute(request, reverse("opendata:result_pb", args=[result.pk])),
                    "pb",
                    f"results/{result.pk}.pb",
                    checksum=result.pb_sha256,
                )
                for result in results
            ]
        dataset = {
            "@id": _absolute(request, reverse("opendata:catalog")) + f"#{name}",
            "@type": "dcat:Dataset",
            "dct:identifier": name,
            "dct:title": _tagged(texts["title"]),
            "dct:description": _tagged(texts["description"]),
            "dcat:keyword": _keywords(texts["keywords"]),
            "dcat:theme": [{"@id": EU_THEME + "GOVE"}, {"@id": EU_THEME + "REGI"}],
            "dct:publisher": {"@id": publisher["@id"]},
            "dcat:contactPoint": contact,
            "dct:license": {"@id": LICENSE},
            "dct:language": [{"@id": EU_LANGUAGE + "LAV"}, {"@id": EU_LANGUAGE + "ENG"}],
            "dcat:landingPage": {"@id": home},
            "dcat:distribution": distributions,
        }
        if name == "results" and results:
            latest = max(result.published_at for result in results)
            dataset["dct:modified"] = {"@value": latest.isoformat(), "@type": "xsd:dateTime"}
        datasets.append(dataset)
    return {
        "@context": CONTEXT,
        "@id": _absolute(request, reverse("opendata:catalog")),
        "@type": "dcat:Catalog",
        "dct:title": _tagged(TEXTS["catalog"]["title"]),
        "dct:description": _tagged(TEXTS["catalog"]["description"]),
        "dct:publisher": publisher,
        "dct:language": [{"@id": EU_LANGUAGE + "LAV"}, {"@id": EU_LANGUAGE + "ENG"}],
        "dct:license": {"@id": LICENSE},
        "foaf:homepage": {"@id": home},
        "dcat:dataset": datasets,
    }


# Views ---------------------------------------------------------------------------------------------------

DATASETS = {
    "ideas": (lambda request: idea_rows(public_ideas(), request), IDEA_FIELDS),
    "results": (lambda request: result_rows(published_results(), request), RESULT_FIELDS),
    "delivery": (lambda request: delivery_rows(funded_ideas(), request), DELIVERY_FIELDS),
}


def _open(response):
    # Public data: any site may read it from a browser (a portal's preview, a journalist's notebook).
    response["Access-Control-Allow-Origin"] = "*"
    return response


cacheable = cache_control(public=True, max_age=MAX_AGE)


@require_safe
@cacheable
def dataset_csv(request, name):
    """ideas.csv, results.csv, delivery.csv (ideas/opendata_urls.py)."""
    build, fields = DATASETS[name]
    response = HttpResponse(to_csv(build(request), fields), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
    return _open(response)


@require_safe
@cacheable
def dataset_json(request, name):
    """ideas.json, results.json, delivery.json (ideas/opendata_urls.py)."""
    build, _fields = DATASETS[name]
    return _open(HttpResponse(to_json(build(request)), content_type="application/json; charset=utf-8"))


@require_safe
@cacheable
def result_pb(request, result_id):
    """results/<id>.pb: exactly the text a published count counted (UTF-8), so its SHA-256 is the published one."""
    result = published(RoundResult.objects.filter(pk=result_id)).only("pk", "pb_file").first()
    if result is None:
        raise Http404
    response = HttpResponse(result.pb_file.encode("utf-8"), content_type="text/plain; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="result-{result.pk}.pb"'
    return _open(response)


@require_safe
@cacheable
def catalog_jsonld(request):
    """catalog.jsonld: the DCAT-AP catalogue a national portal harvests (ideas/opendata_urls.py)."""
    return _open(HttpResponse(to_json(catalog(request)), content_type="application/ld+json; charset=utf-8"))
