"""What the fuzzing tests send, derived from the app itself: its URL rules (`app.url_map`), the
WTForms classes each view builds, the query parameters each view reads, and the hypothesis
strategies that fill them with hostile input.

Nothing here lists a route or a form by hand: a new route or form is fuzzed the day it exists.
"""

import inspect
import re
import types
from dataclasses import dataclass, field
from datetime import date
from io import BytesIO
from urllib.parse import quote

from flask import Flask
from flask_wtf import FlaskForm
from hypothesis import strategies as st
from werkzeug.routing import IntegerConverter, Rule
from wtforms import (
    BooleanField,
    DateField,
    DateTimeLocalField,
    FieldList,
    FileField,
    FormField,
    IntegerField,
    SelectFieldBase,
    TimeField,
)
from wtforms.fields.core import UnboundField

# Marked text that must never come back unescaped in a page: once as a tag, once breaking out
# of an attribute value (double and single quoted).
MARKER = "fz7q"
MARKERS = [
    f"<script>{MARKER}</script>",
    f'"><i {MARKER}>',
    f"'><i {MARKER}>",
]
UNESCAPED = [f"<script>{MARKER}", f"<i {MARKER}>"]

NASTY = [
    "",
    " ",
    "\x00",
    "a\x00b",
    "\r\n\t",
    "-1",
    "0",
    "9" * 40,
    "-" + "9" * 40,
    "1e309",
    "NaN",
    "inf",
    "0001-01-01",
    "9999-12-31",
    "2014-02-30",
    "2014-13-45",
    "31/12/2014",
    "2014-11-05T25:61",
    "25:61",
    "\u202eevil",  # right-to-left override
    "\ufeff",  # byte order mark
    "Zoë Ærøskøbing",
    "𝕍𝔾𝕋 👮",
    "ǅ\u0301\u0301\u0301",
    "\u0627\u0644\u0634\u0631\u0637\u0629",  # Arabic
    "../../etc/passwd",
    "%00%2e%2e%2f",
    "%s%n{0}{{7*7}}",
    "' OR '1'='1",
    "\\",
    "null",
    "[]",
    *MARKERS,
]

character = st.characters(exclude_categories=["Cs"])  # a surrogate is no text a client can send
text = st.one_of(
    st.sampled_from(NASTY),
    st.text(max_size=40),  # any Unicode but surrogates, NUL and control characters included
    st.integers(min_value=-(10**40), max_value=10**40).map(str),
    st.dates().map(date.isoformat),  # year 1 to 9999
    st.builds(str.__mul__, character, st.integers(min_value=300, max_value=20_000)),
    st.tuples(st.text(max_size=8), st.sampled_from(MARKERS), st.text(max_size=8)).map("".join),
)
numbers = st.one_of(
    st.integers(min_value=-3, max_value=5),
    st.integers(min_value=-(10**30), max_value=10**30),
).map(str)
dates = st.one_of(st.dates().map(date.isoformat), text)
times = st.one_of(st.times().map(lambda t: t.isoformat(timespec="minutes")), text)
moments = st.one_of(st.datetimes().map(lambda d: d.isoformat(timespec="minutes")), text)
ticks = st.one_of(st.sampled_from(["y", "on", "1", "false"]), text)


@dataclass(frozen=True)
class FormInput:
    """One input of a form as the browser sends it: its name, and the values it could take."""

    name: str
    values: st.SearchStrategy
    is_file: bool = False


def _values_for(unbound: UnboundField) -> st.SearchStrategy:
    kind = unbound.field_class
    if issubclass(kind, BooleanField):
        return ticks
    if issubclass(kind, IntegerField):
        return st.one_of(numbers, text)
    if issubclass(kind, DateTimeLocalField):
        return moments
    if issubclass(kind, DateField):
        return dates
    if issubclass(kind, TimeField):
        return times
    choices = unbound.kwargs.get("choices")
    if issubclass(kind, SelectFieldBase) and isinstance(choices, list | tuple) and choices:
        offered = [str(_value_of(choice)) for choice in choices]
        return st.one_of(st.sampled_from(offered), text)
    return text


def _value_of(choice) -> object:
    """What the browser sends for a choice: a SelectChoice's value, a pair's first, or itself."""
    if hasattr(choice, "value"):
        return choice.value
    return choice[0] if isinstance(choice, tuple | list) else choice


def inputs_of(form_class: type, prefix: str = "") -> list[FormInput]:
    """Every input a form class renders, nested forms and lists included (their first entry)."""
    found = []
    for name in dir(form_class):
        unbound = getattr(form_class, name, None)
        if isinstance(unbound, UnboundField):
            found.extend(_inputs_of_field(unbound, prefix + name))
    return found


def _inputs_of_field(unbound: UnboundField, name: str) -> list[FormInput]:
    if issubclass(unbound.field_class, FieldList):
        return _inputs_of_field(unbound.args[0], f"{name}-0")
    if issubclass(unbound.field_class, FormField):
        return inputs_of(unbound.args[0], f"{name}-")
    if issubclass(unbound.field_class, FileField):
        return [FormInput(name, text, is_file=True)]
    return [FormInput(name, _values_for(unbound))]


def _code_objects(code: types.CodeType):
    yield code
    for constant in code.co_consts:
        if isinstance(constant, types.CodeType):
            yield from _code_objects(constant)


def _called(function: types.FunctionType, *, services: bool) -> list[types.FunctionType]:
    """The functions `function` names: of its own blueprint's package (its module and the
    helper modules beside it, such as the back office's paging), and with `services` those it
    reaches as `module.function` in our services."""
    package = function.__module__.rpartition(".")[0]
    called = []
    for code in _code_objects(function.__code__):
        for name in code.co_names:
            value = function.__globals__.get(name)
            if isinstance(value, types.FunctionType) and value.__module__.startswith(package + "."):
                called.append(value)
            elif services and isinstance(value, types.ModuleType):
                if value.__name__.startswith("conference.services."):
                    attributes = (getattr(value, other, None) for other in code.co_names)
                    called += [a for a in attributes if isinstance(a, types.FunctionType)]
    return called


def _reached(view, depth: int = 3, *, services: bool = False) -> list[types.FunctionType]:
    """The view and the functions of its own package that it calls, a few calls deep (and with
    `services`, the service functions they call)."""
    start = inspect.unwrap(view)
    seen, todo = [start], [(start, 0)]
    while todo:
        function, level = todo.pop()
        if level == depth:
            continue
        for value in _called(function, services=services):
            if value not in seen:
                seen.append(value)
                todo.append((value, level + 1))
    return seen


def _is_form_class(value) -> bool:
    return isinstance(value, type) and issubclass(value, FlaskForm)


def forms_of(view) -> list[type]:
    """The form classes a view builds, read from its code; when it builds one through a table
    or a factory, every form class its module knows."""
    found = {
        value
        for function in _reached(view)
        for code in _code_objects(function.__code__)
        for name in code.co_names
        if _is_form_class(value := function.__globals__.get(name))
    }
    if not found:
        module = inspect.getmodule(inspect.unwrap(view))
        found = {value for value in vars(module).values() if _is_form_class(value)}
    return sorted(found, key=lambda form: form.__qualname__)


QUERY_READ = re.compile(r"request\.args(?:\.get\(|\[)\s*[\"'](\w+)[\"']")
FORM_OF_QUERY = re.compile(r"\(\s*request\.args\b")
KEY_READ = re.compile(r"(?:\.get\(|\[)\s*[\"'](\w+)[\"']")


def query_parameters_of(view) -> list[str]:
    """The query parameters a view reads (`request.args`), and the fields of the forms it fills
    from the query string, for the filters whose form is the query."""
    names = set()
    for function in _reached(view):
        source = inspect.getsource(function)
        names.update(QUERY_READ.findall(source))
        if "paginate(" in source:  # Flask-SQLAlchemy's pages read these themselves
            names.update(["page", "per_page"])
        if FORM_OF_QUERY.search(source):
            for form in forms_of(function):
                names.update(i.name for i in inputs_of(form))
    return sorted(names)


def json_keys_of(view) -> list[str]:
    """The keys a view that reads a JSON body (`get_json`) looks up, in it and in the services
    it hands the body to; none for a view that reads no JSON."""
    functions = _reached(view, services=True)
    sources = [inspect.getsource(function) for function in functions]
    if not any("get_json" in source for source in sources):
        return []
    return sorted({key for source in sources for key in KEY_READ.findall(source)})


@dataclass
class Route:
    """A URL rule of the app, with what a fuzzing request to it can carry."""

    rule: Rule
    methods: list[str]
    forms: list[list[FormInput]] = field(default_factory=list)
    query: list[str] = field(default_factory=list)
    json_keys: list[str] = field(default_factory=list)

    @property
    def endpoint(self) -> str:
        return self.rule.endpoint


def routes_of(app: Flask) -> list[Route]:
    routes = []
    for rule in sorted(app.url_map.iter_rules(), key=lambda rule: rule.endpoint):
        view = app.view_functions[rule.endpoint]
        methods = sorted(rule.methods & {"GET", "POST"})
        forms = [inputs_of(form) for form in forms_of(view)] if "POST" in methods else []
        json_keys = json_keys_of(view) if "POST" in methods else []
        routes.append(Route(rule, methods, forms, query_parameters_of(view), json_keys))
    return routes


ARGUMENT = re.compile(r"<(?:[a-z]+(?:\([^)]*\))?:)?(\w+)>")


@dataclass
class FuzzRequest:
    method: str
    path: str
    query: dict[str, str]
    form: dict[str, str]
    files: dict[str, str]
    json: object = None

    def values(self) -> list[str]:
        """Every value the request carries, its path's and its JSON body's included."""
        sent = [self.path, *self.query.values(), *self.form.values(), *self.files.values()]
        return [*sent, *_strings_in(self.json)]

    def data(self) -> dict:
        """The form as the test client sends it, each file a CSV upload."""
        uploads = {
            name: (BytesIO(content.encode("utf-8", "surrogatepass")), "fuzz.csv")
            for name, content in self.files.items()
        }
        return {**self.form, **uploads}


@st.composite
def requests_to(draw, route: Route, real: dict[str, str]) -> FuzzRequest:
    """A request to `route`: each URL argument real or hostile (ids small, real or huge), some of
    the query parameters the view reads, and for a POST some inputs of one of its forms."""

    def argument(match: re.Match) -> str:
        name = match.group(1)
        if isinstance(route.rule._converters[name], IntegerConverter):
            value = draw(st.one_of(st.sampled_from(["1", "2", real.get(name, "1")]), numbers))
            value = value.lstrip("-")
        else:
            value = draw(st.one_of(st.just(real[name]), text) if name in real else text)
        return quote(value, safe="") or "x"

    path = ARGUMENT.sub(argument, route.rule.rule)
    method = draw(st.sampled_from(route.methods))
    query = {}
    if route.query:
        values = st.one_of(numbers, text)  # so many of them are numbers: pages, ids, days
        query = draw(st.dictionaries(st.sampled_from(route.query), values, max_size=4))
    form, files, body = {}, {}, None
    if method == "POST" and route.forms:
        for sent in draw(st.sampled_from(route.forms)):
            if draw(st.booleans()):
                (files if sent.is_file else form)[sent.name] = draw(sent.values)
    if method == "POST" and route.json_keys:
        body = draw(json_documents(route.json_keys))
    return FuzzRequest(method, path, query, form, files, body)


def json_documents(keys: list[str]) -> st.SearchStrategy:
    """JSON of any shape, its objects keyed mostly by the names the view reads."""
    scalars = st.one_of(
        st.none(),
        st.booleans(),
        st.integers(min_value=-(10**30), max_value=10**30),
        st.floats(allow_nan=False),
        text,
    )
    return st.recursive(
        scalars,
        lambda children: st.one_of(
            st.lists(children, max_size=3),
            st.dictionaries(st.one_of(st.sampled_from(keys), text), children, max_size=5),
        ),
        max_leaves=12,
    )


def _strings_in(document) -> list[str]:
    if isinstance(document, str):
        return [document]
    if isinstance(document, dict):
        return [*document, *(s for value in document.values() for s in _strings_in(value))]
    if isinstance(document, list):
        return [s for value in document for s in _strings_in(value)]
    return []
