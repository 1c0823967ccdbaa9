"""人岗匹配: jobs ranked for a worker with the reason, workers ranked for a job."""
import pytest

from tests.labour.conftest import idn
from xiezuo.labour import actions
from xiezuo.labour.matching import jobs_for, workers_for
from xiezuo.labour.models import Worker
from xiezuo.regions.models import Region

pytestmark = pytest.mark.django_db


@pytest.fixture
def jobs(users, employer, yinzhou):
    gz = Region.objects.get(code="440106")
    from xiezuo.orgs.models import Organisation

    gz_emp = Organisation.objects.create(name="广州测试厂", kind="enterprise", region=gz)
    mk = lambda user, emp, place, title, lo, hi, skills: actions.save_job(  # noqa: E731
        user, employer=emp, title=title, place=place, positions=5, wage_min_fen=lo, wage_max_fen=hi, skills=skills)
    return {
        "best": mk(users["east_office"], employer, yinzhou, "电子装配工", 5000_00, 6500_00, ["电子装配", "普工"]),
        "half": mk(users["east_office"], employer, yinzhou, "普工", 3000_00, 4000_00, ["普工"]),
        "far": mk(users["national"], gz_emp, gz, "电子装配工(广州)", 5000_00, 7000_00, ["电子装配"]),
        "none": mk(users["national"], gz_emp, gz, "厨师", 2000_00, 2500_00, ["厨师"]),
    }


def test_jobs_ranked_with_reason(worker, jobs, english):
    ranked = jobs_for(worker)
    assert [m.obj.pk for m in ranked] == [jobs["best"].pk, jobs["half"].pk, jobs["far"].pk]
    best = ranked[0]
    assert best.score == 100 and best.skills == ["普工", "电子装配"]
    assert "skills: 普工、电子装配" in best.reason and "place: 鄞州区" in best.reason and "wage meets" in best.reason
    assert ranked[1].score == 25 + 30 + 10  # one skill of two, Zhejiang preferred, 4,000元 is within 80 % of 4,500元
    assert ranked[2].score == 25 + 0 + 20  # one skill of two, Guangdong not preferred, the wage reaches 4,500元


def test_closed_jobs_not_offered(users, worker, jobs):
    actions.save_job(users["east_office"], jobs["best"], status="closed")
    assert jobs["best"].pk not in [m.obj.pk for m in jobs_for(worker)]


def test_workers_ranked_for_a_job(users, worker, jobs, meigu_county):
    from tests.labour.conftest import idn

    other = actions.register_worker(users["county_office"], county=meigu_county, name="阿苦", id_number=idn(51),
                                    skills=["厨师"], preferred_provinces=["44"], expected_wage_fen=3000_00)
    ranked = workers_for(jobs["best"], Worker.objects.visible_to(users["county_office"]))
    assert [(m.obj.pk, m.score) for m in ranked] == [(worker.pk, 100), (other.pk, 20)]  # the other: only the wage
    ranked = workers_for(jobs["none"], Worker.objects.visible_to(users["county_office"]))
    assert ranked[0].obj.pk == other.pk and ranked[0].score == 50 + 30 + 10  # 2,500元 is within 80 % of the 3,000元 expected
    assert workers_for(jobs["best"], Worker.objects.visible_to(users["east_office"])) == []


def _ranked_everywhere(worker, limit):
    """The ranking computed over every open job at once, in Python, as the score is defined."""
    from xiezuo.labour.choices import SKILL_BIT
    from xiezuo.labour.models import Job

    bits = [b for b in SKILL_BIT.values() if worker.skills & b]
    prefs = worker.province_list
    rows = []
    for job in Job.objects.open():
        skill = (sum(1 for b in bits if job.skills & b) * 50 // len(bits)) if bits else 0
        place = 30 if prefs and job.province_code == prefs[0] else 20 if job.province_code in prefs[1:] else \
            10 if job.province_code == worker.county.province_code else 0
        wage = 20 if job.wage_max_fen >= worker.expected_wage_fen else 10 if job.wage_max_fen >= worker.expected_wage_fen * 8 // 10 else 0
        if skill + place + wage > 0:
            rows.append((-(skill + place + wage), -job.wage_max_fen, job.pk))
    return [pk for _s, _w, pk in sorted(rows)[:limit]]


def test_ranking_province_by_province_equals_ranking_every_job(users, worker, employer, meigu_county):
    """The ranking first looks at the provinces worth place points; whatever it finds there,
    the list is the one ranked over every open job (ties and short lists included)."""
    import random

    from xiezuo.labour.choices import skill_mask
    from xiezuo.labour.models import Job
    from xiezuo.orgs.models import Organisation

    rnd = random.Random(15)
    places = [Region.objects.get(code=c) for c in ("330212", "440106", "513436", "110101", "520102")]
    employers = {p.code: Organisation.objects.create(name=f"测试厂{p.code}", kind="enterprise", region=p) for p in places}
    skills = ["电子装配", "普工", "厨师", "焊工"]
    for i in range(120):
        place = rnd.choice(places)
        lo = rnd.choice([2000_00, 3000_00, 4000_00, 5000_00])
        Job.objects.create(employer=employers[place.code], title=f"岗位{i}", place=place, province_code=place.province_code,
                           wage_min_fen=lo, wage_max_fen=lo + rnd.choice([0, 500_00, 1500_00]),
                           skills=skill_mask(rnd.sample(skills, rnd.randint(0, 2))))
    others = [worker]
    for seq, (prefs, sk, wage) in enumerate([([], [], 0), (["44", "33"], ["厨师"], 6000_00), (["51"], ["焊工", "普工"], 3000_00),
                                              (["11"], ["电子装配", "普工", "厨师"], 9000_00)]):
        others.append(actions.register_worker(users["county_office"], county=meigu_county, name=f"工人{seq}", id_number=idn(70 + seq),
                                              skills=sk, preferred_provinces=prefs, expected_wage_fen=wage))
    for w in others:
        w = Worker.objects.select_related("county").get(pk=w.pk)
        for limit in (1, 5, 20, 200):
            assert [m.obj.pk for m in jobs_for(w, limit=limit)] == _ranked_everywhere(w, limit), (w.name, limit)
