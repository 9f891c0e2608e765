"""The match list's JSON is written without validating it again; these bytes must stay the validated model's."""

from __future__ import annotations

import pytest

from api.present import match_list, match_list_response
from matcher.domain import VacancyIn
from matcher.security import SYSTEM, Actor
from matcher.service import Service


@pytest.mark.parametrize("role", ["consultant", "employer_service", "admin"])
def test_the_written_json_is_the_validated_match_list(world: Service, role: str) -> None:
    same_job = {"title": "Magazijnmedewerker", "employer": "Logistiek Gelderland", "postcode": "6827",
                "required_skills": ["orderpicken"], "shifts": ["day"]}
    world.import_vacancies([(("wsp", "W-SAME"), VacancyIn.model_validate(same_job)),
                            (("scalabor", "S-SAME"), VacancyIn.model_validate(same_job))], actor=SYSTEM)
    actor = Actor(key_id=None, role=role, municipality=None, name="test")
    lists = [(world.shortlist(source, external_id, actor=actor), "vacancy")
             for source, external_id in (("wsp", "W-MAG"), ("scalabor", "S-SCH"), ("wsp", "W-SAME"))]
    lists.append((world.matches("A-MAG", actor=actor), "candidate"))
    for shortlist, direction in lists:
        assert shortlist.result.items
        validated = match_list(shortlist, actor, direction)
        assert match_list_response(shortlist, actor, direction).body == validated.model_dump_json().encode()
    # the same job from the second source is marked in the person's list, so that part is compared too
    assert any(item.same_job_as is not None for item in match_list(lists[-1][0], actor, "candidate").items)
