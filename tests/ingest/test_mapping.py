"""The scheme mapping tables: every code maps to a known topic, severity and ILO indicators."""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ingest.canonical import IloIndicator, Scheme, Severity, Topic
from ingest.mapping import MappingInvalid, load_mapping, parse_mapping


def raw_mapping(scheme: Scheme) -> dict[str, Any]:
    text = resources.files("ingest").joinpath("mappings", f"{scheme.value}.json").read_text(encoding="utf-8")
    body: dict[str, Any] = json.loads(text)
    return body


@pytest.mark.parametrize("scheme", list(Scheme))
class TestMappingFiles:
    def test_every_code_maps_to_a_known_topic_severity_and_indicators(self, scheme: Scheme) -> None:
        body = raw_mapping(scheme)
        assert body["codes"], "a mapping without codes maps nothing"
        for code, entry in body["codes"].items():
            assert entry["topic"] in set(Topic), code
            assert entry["severity"] in set(Severity), code
            assert isinstance(entry["ilo_indicators"], list), code
            assert set(entry["ilo_indicators"]) <= set(IloIndicator), code
            if "risk_answers" in entry and "allowed_answers" in entry:
                assert set(entry["risk_answers"]) <= set(entry["allowed_answers"]), code

    def test_has_a_version_and_a_source_note(self, scheme: Scheme) -> None:
        body = raw_mapping(scheme)
        assert body["scheme"] == scheme.value
        assert body["version"].strip()
        assert len(body["source"]) > 40

    def test_scheme_severity_labels_map_to_the_normalised_scale(self, scheme: Scheme) -> None:
        assert set(raw_mapping(scheme).get("severities", {}).values()) <= set(Severity)

    def test_loads_every_code(self, scheme: Scheme) -> None:
        mapping = load_mapping(scheme)
        assert len(mapping.codes) == len(raw_mapping(scheme)["codes"])
        for code in raw_mapping(scheme)["codes"]:
            found = mapping.lookup(code)
            assert found is not None
            assert found.code == code.upper()


class TestIndicatorCoverage:
    def test_every_ilo_indicator_is_used_by_some_scheme(self) -> None:
        used = {i for s in Scheme for c in load_mapping(s).codes.values() for i in c.ilo_indicators}
        assert used == set(IloIndicator)

    def test_there_are_eleven_ilo_indicators(self) -> None:
        assert len(IloIndicator) == 11


class TestLookup:
    def test_a_question_ref_finds_its_group(self) -> None:
        code = load_mapping(Scheme.slcp).lookup("FP-BAS-26")
        assert code is not None
        assert code.code == "FP-BAS"

    def test_an_unknown_group_falls_back_to_its_section(self) -> None:
        code = load_mapping(Scheme.slcp).lookup("RH-ZZZ-9")
        assert code is not None
        assert code.code == "RH"

    def test_dotted_smeta_codes(self) -> None:
        mapping = load_mapping(Scheme.smeta)
        assert mapping.lookup("1.1") == mapping.codes["1.1"]
        assert mapping.lookup("6.4") == mapping.codes["6"]

    def test_unknown_code_maps_to_nothing(self) -> None:
        assert load_mapping(Scheme.slcp).lookup("XX-BAS-1") is None
        assert load_mapping(Scheme.smeta).lookup("") is None

    @given(suffix=st.from_regex(r"[-.][A-Z0-9]{1,4}", fullmatch=True))
    def test_a_code_with_any_suffix_maps_to_that_code_or_a_longer_one(self, suffix: str) -> None:
        mapping = load_mapping(Scheme.better_work)
        for code in mapping.codes:
            found = mapping.lookup(code + suffix)
            assert found is not None
            assert (code + suffix).startswith(found.code)
            assert len(found.code) >= len(code)

    def test_lookup_ignores_case_and_spaces(self) -> None:
        assert load_mapping(Scheme.better_work).lookup(" fl-coe-3 ") == load_mapping(Scheme.better_work).codes["FL-COE"]


class TestParseMapping:
    def test_reports_every_bad_entry_at_once(self) -> None:
        body = {
            "scheme": "smeta",
            "version": "x",
            "source": "s",
            "severities": {"major": "huge"},
            "codes": {
                "1": {"topic": "forced_labour", "severity": "high", "ilo_indicators": ["slavery"]},
                "2": {"topic": "unknown_topic", "severity": "high", "ilo_indicators": []},
                "3": {"topic": "health_and_safety", "severity": "severe", "ilo_indicators": []},
                "4": {"topic": "health_and_safety", "severity": "low"},
            },
        }
        with pytest.raises(MappingInvalid) as caught:
            parse_mapping(Scheme.smeta, body)
        message = str(caught.value)
        for expected in (
            "severities.major",
            "codes.1.ilo_indicators",
            "codes.2.topic",
            "codes.3.severity",
            "codes.4.ilo_indicators",
        ):
            assert expected in message

    def test_rejects_a_file_of_another_scheme(self) -> None:
        with pytest.raises(MappingInvalid, match="expected 'slcp'"):
            parse_mapping(Scheme.slcp, raw_mapping(Scheme.smeta))

    def test_rejects_risk_answers_outside_the_allowed_answers(self) -> None:
        body = raw_mapping(Scheme.self_assessment)
        body["codes"]["SAQ-REC-01"]["risk_answers"] = ["maybe"]
        with pytest.raises(MappingInvalid, match="not in allowed_answers"):
            parse_mapping(Scheme.self_assessment, body)
