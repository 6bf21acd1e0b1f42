"""scripts/lint_templates.py catches each unsafe pattern it exists for, and passes the tree as it is."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _load() -> ModuleType:
    spec = importlib.util.spec_from_file_location("lint_templates", ROOT / "scripts" / "lint_templates.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the class is made
    spec.loader.exec_module(module)
    return module


lint = _load()


@pytest.mark.parametrize(
    "template",
    [
        "<a title={{ comment.name }}>x</a>",
        "<a title = {{ comment.name }}>x</a>",
        '<a class="x" href={% url "bag" slug %}>x</a>',
        "<img alt=photo-{{ bag.name }} src=/x.png>",
        '<input value={{ q }} name="q">',
        "<td\n  data-sort={{ row.price }}\n>",
        "<p>{{ body|safe }}</p>",
        "<p>{{ body | safe }}</p>",
        "<ul>{{ items|safeseq|join:', ' }}</ul>",
        "{% autoescape off %}{{ body }}{% endautoescape %}",
        "{% filter safe %}{{ body }}{% endfilter %}",
    ],
)
def test_an_unsafe_template_is_caught(template: str) -> None:
    assert lint.lint_template("src/minipack_web/templates/sample.html", template) != []


@pytest.mark.parametrize(
    "template",
    [
        '<a title="{{ comment.name }}" href="{% url "bag" slug %}?units={{ units }}&amp;sort={{ sort }}">x</a>',
        "<a title='{{ comment.name }}'>x</a>",
        '<input type="checkbox" {% if checked %}checked{% endif %} name="f">',
        '<option value="{{ v }}"{% if v == chosen %} selected{% endif %}>{{ label }}</option>',
        "{# <a title={{ not.rendered }}> #}<p>{{ 1|add:2 }} = {{ three }}</p>",
        '<script type="application/ld+json">{{ page.jsonld }}</script>',
    ],
)
def test_a_safe_template_passes(template: str) -> None:
    assert lint.lint_template("src/minipack_web/templates/sample.html", template) == []


def test_a_reviewed_safe_filter_passes_only_in_its_own_file() -> None:
    reviewed = "<figure>{{ page.outline_svg|safe }}</figure>"

    assert lint.lint_template("src/minipack_web/templates/catalog/bag.html", reviewed) == []
    assert lint.lint_template("src/minipack_web/templates/catalog/other.html", reviewed) != []


def test_the_finding_names_the_line() -> None:
    (finding,) = lint.lint_template("t.html", "<p>\n</p>\n<a title={{ x }}>")

    assert (finding.path, finding.line) == ("t.html", 3)


@pytest.mark.parametrize(
    "source",
    [
        "from django.utils.safestring import mark_safe\ndef f(x):\n    return mark_safe(x)\n",
        "from django.utils import safestring\ndef f(x):\n    return safestring.mark_safe('<b>' + x)\n",
        "from django.utils.safestring import SafeString\nvalue = SafeString(user_text)\n",
        "from django.utils.html import format_html\ndef f(x):\n    return format_html(f'<b>{x}</b>')\n",
        "from django.utils.html import format_html\ndef f(x):\n    return format_html('<b>%s</b>' % x)\n",
        "from django.utils.html import format_html\ndef f():\n    return format_html('<b>bold</b>')\n",
        "from django.utils.html import format_html_join\nhtml = format_html_join('', t + '{}', rows)\n",
    ],
)
def test_unsafe_python_is_caught(source: str) -> None:
    assert lint.lint_python("src/minipack_web/sample.py", source) != []


def test_format_html_with_a_literal_and_arguments_passes() -> None:
    source = "from django.utils.html import format_html\ndef f(x):\n    return format_html('<b>{}</b>', x)\n"

    assert lint.lint_python("src/minipack_web/sample.py", source) == []


def test_a_reviewed_mark_safe_passes_but_a_second_one_beside_it_does_not() -> None:
    one = "def script_json(data):\n    return mark_safe(dumps(data))\n"
    two = "def script_json(data):\n    mark_safe(data)\n    return mark_safe(dumps(data))\n"

    assert lint.lint_python("src/minipack_web/seo/jsonld.py", one) == []
    assert lint.lint_python("src/minipack_web/seo/jsonld.py", two) != []
    assert lint.lint_python("src/minipack_web/seo/other.py", one) != []


def test_the_project_passes_and_a_bad_template_added_to_a_copy_fails(tmp_path: Path) -> None:
    assert lint.lint_tree(ROOT) == []

    bad = tmp_path / "src" / "minipack_web" / "templates" / "bad.html"
    bad.parent.mkdir(parents=True)
    bad.write_text("<a title={{ comment.name }}>{{ comment.body|safe }}</a>")
    assert len(lint.lint_tree(tmp_path)) == 2
    assert lint.main(["lint_templates.py", str(tmp_path)]) == 1


def test_every_reviewed_entry_still_exists() -> None:
    """A reviewed place that is gone must leave the list, or a later file of that name inherits the review."""
    for path, expression in lint.REVIEWED_SAFE:
        assert expression.replace("{{", "").replace("}}", "") in (ROOT / path).read_text().replace(" ", ""), path
    for path, function in lint.REVIEWED_MARK_SAFE:
        assert f"def {function.split('.')[-1]}(" in (ROOT / path).read_text(), (path, function)
