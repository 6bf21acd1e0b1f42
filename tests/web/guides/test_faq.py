"""/faq/: the launch article's questions answered from the catalog, fit engine and airline rules."""

from __future__ import annotations

import json
import re

import pytest
from django.test import Client

from minipack.faq import QUESTIONS
from minipack_web.catalog.services import catalog_import, catalog_load_bundled

from ..factories import as_records, make_product

pytestmark = pytest.mark.django_db


def jsonld(html: str) -> dict:
    blocks = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.DOTALL)
    assert len(blocks) == 1
    return json.loads(blocks[0])


def test_the_faq_shows_each_answer_with_its_numbers_and_sources(client: Client) -> None:
    catalog_load_bundled()
    response = client.get("/faq/")
    assert response.status_code == 200
    html = response.content.decode()
    for question in QUESTIONS:
        assert f'<section id="{question.anchor}" class="faq">' in html
    assert "Of the 23 bags in our catalog, 13 publish an outer size" in html
    assert "Median width:" in html and " cm)" in html
    assert "<svg" in html
    assert "fits 13 of 13 bags." in html
    assert "Smallest personal item: 40 x 30 x 15 cm, at Lufthansa" in html
    assert "No published personal-item size: Alaska Airlines, Delta Air Lines, Emirates, Qantas." in html
    assert "(2025-12-14)" in html  # a source's date
    assert 'href="https://github.com/AxelUser/carry-fit/' in html
    assert "Leather: 5 bags." in html


def test_the_jsonld_parses_and_has_one_question_per_answer(client: Client) -> None:
    catalog_load_bundled()
    data = jsonld(client.get("/faq/").content.decode())
    assert data["@type"] == "FAQPage"
    assert [q["name"] for q in data["mainEntity"]] == [q.question for q in QUESTIONS]
    assert all(q["@type"] == "Question" and q["acceptedAnswer"]["text"] for q in data["mainEntity"])


def test_catalog_text_cannot_break_out_of_the_jsonld(client: Client) -> None:
    catalog_import(records=as_records(make_product(claims={"material": "</script><script>alert(1)</script> & co"})))
    html = client.get("/faq/").content.decode()
    assert "<script>alert(1)" not in html
    data = jsonld(html)
    assert data["mainEntity"]  # still parses


def test_an_empty_catalog_answers_only_the_airline_question(client: Client) -> None:
    html = client.get("/faq/").content.decode()
    data = jsonld(html)
    assert [q["name"] for q in data["mainEntity"]] == ["Can I carry-on a purse and a backpack?"]
