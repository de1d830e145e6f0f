import pytest

from exercises.models import Exercise

LIST = "/api/v1/exercises/"
PRIVATE = {
    "key": "A-CLINIC-1",
    "name": "Stair walking",
    "category": "aerobic",
    "regions": ["lumbar"],
    "position": "standing",
    "direction": "neutral",
    "difficulty": 2,
    "phases": ["P3", "P4"],
    "dosage": {"minutes": 10, "per_day": 1, "days_per_week": 5},
    "steps": ["Hold the rail.", "Walk up one flight steadily.", "Walk down slowly."],
}


def keys(response) -> list[str]:
    return [row["key"] for row in response.json()["results"]]


def all_keys(api, query: str) -> list[str]:
    return keys(api.get(f"{LIST}?{query}&page_size=100"))


def expected(predicate) -> list[str]:
    return sorted(e.key for e in Exercise.objects.filter(clinic=None) if predicate(e))


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("query", "predicate"),
    [
        ("category=core", lambda e: e.category == "core"),
        ("region=cervical", lambda e: "cervical" in e.regions),
        ("phase=P1", lambda e: "P1" in e.phases),
        ("region=thoracic&phase=P3", lambda e: "thoracic" in e.regions and "P3" in e.phases),
        ("difficulty=3", lambda e: e.difficulty == 3),
        ("position=quadruped", lambda e: e.position == "quadruped"),
        ("direction=extension", lambda e: e.direction == "extension"),
        ("equipment=strap", lambda e: any("strap" in item for item in e.equipment)),
        ("equipment=none", lambda e: e.equipment == []),
        (
            "search=hamstring",
            lambda e: "hamstring" in (e.name + str(e.target_muscles) + str(e.steps)).lower(),
        ),
    ],
)
def test_filters_return_exactly_the_matching_keys(api, physio_a, catalogue, query, predicate):
    api.as_user(physio_a.user)

    result = all_keys(api, query)

    assert result == expected(predicate)
    assert result  # each filter case matches something in the real catalogue


@pytest.mark.django_db
def test_filter_exact_keys_for_a_known_case(api, physio_a, catalogue):
    api.as_user(physio_a.user)

    assert "F07" in all_keys(api, "search=hamstring")
    assert all_keys(api, "category=self_care&phase=P1&region=cervical")[:3] == [
        "SC01",
        "SC02",
        "SC03",
    ]


@pytest.mark.django_db
def test_unknown_filter_value_answers_400_naming_it(api, physio_a, catalogue):
    response = api.as_user(physio_a.user).get(f"{LIST}?region=sacral")

    assert response.status_code == 400
    assert list(response.json()["fields"]) == ["region"]


@pytest.mark.django_db
@pytest.mark.parametrize("page_size", [1, 20])
def test_list_runs_a_constant_number_of_queries(
    api, physio_a, catalogue, django_assert_num_queries, page_size
):
    api.as_user(physio_a.user)

    with django_assert_num_queries(1):  # the page, its count (a window) and links in one
        response = api.get(f"{LIST}?page_size={page_size}")

    assert len(response.json()["results"]) == page_size


@pytest.mark.django_db
def test_detail_by_key(api, physio_a, catalogue):
    response = api.as_user(physio_a.user).get(f"{LIST}F01/")

    body = response.json()
    assert body["name"] == "Pelvic tilt lying down"
    assert body["progression"] == "C01"
    assert body["picture"] == "pictograms/supine.svg"


@pytest.mark.django_db
def test_physio_creates_private_exercise_that_only_their_clinic_sees(
    api, physio_a, physio_b, catalogue
):
    created = api.as_user(physio_a.user).post(LIST, PRIVATE, format="json")

    assert created.status_code == 201
    assert created.json()["is_global"] is False
    assert Exercise.objects.get(key="A-CLINIC-1").clinic == physio_a.clinic
    assert api.get(f"{LIST}A-CLINIC-1/").status_code == 200
    api.as_user(physio_b.user)
    assert api.get(f"{LIST}A-CLINIC-1/").status_code == 404
    assert "A-CLINIC-1" not in all_keys(api, "category=aerobic")
    assert api.patch(f"{LIST}A-CLINIC-1/", {"name": "Hijack"}, format="json").status_code == 404
    assert Exercise.objects.get(key="A-CLINIC-1").name == "Stair walking"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"difficulty": 7}, "difficulty"),
        ({"regions": ["sacral"]}, "regions"),
        ({"phases": []}, "phases"),
        ({"category": "yoga"}, "category"),
        ({"steps": ["Only one step."]}, "steps"),
        ({"dosage": {"sets": -3}}, "dosage"),
        ({"progression": "NOPE"}, "progression"),
        ({"key": "F01"}, "key"),
        ({"target_muscles": ["core"] * 10_000}, "target_muscles"),
        ({"equipment": ["x" * 81]}, "equipment"),
        ({"steps": ["Stand tall.", "Breathe out.", "x" * 301]}, "steps"),
    ],
)
def test_private_exercise_validation_names_the_field(api, physio_a, catalogue, change, field):
    response = api.as_user(physio_a.user).post(LIST, {**PRIVATE, **change}, format="json")

    assert response.status_code == 400
    assert field in response.json()["fields"]
    assert not Exercise.objects.exclude(clinic=None).exists()


@pytest.mark.django_db
def test_global_exercises_cannot_be_changed_through_the_api(api, physio_a, catalogue):
    response = api.as_user(physio_a.user).patch(f"{LIST}F01/", {"name": "Mine"}, format="json")

    assert response.status_code == 403
    assert Exercise.objects.get(key="F01").name == "Pelvic tilt lying down"


@pytest.mark.django_db
def test_patient_without_a_published_plan_sees_no_exercises(api, patient_a1, catalogue):
    response = api.as_user(patient_a1.user).get(LIST)

    assert response.status_code == 200
    assert response.json()["results"] == []
    assert api.get(f"{LIST}F01/").status_code == 404
    assert api.post(LIST, PRIVATE, format="json").status_code == 404
