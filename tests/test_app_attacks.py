"""A determined reader against the app's disclosure policy, on the sample: nothing below k comes back.

The attacker (tests/attack.py) sees what the pages show for the whole wave,
every single filter value and every pair of filter values (211 selections per
wave), and knows the policy. It tries the four attacks of the issue: statistics
inversion, differencing of counts (sidebar included) and of means between
nested selections, and linked tables on one page. The same attacker, with the
policy switched off (suppression below k only, no rounding, no noise, no
withholding), recovers groups of every kind: the tests are not toothless.

Every wave is attacked, each on the questions it asked: a reader picks the wave
in the sidebar, and each wave has its own small groups (the report's 2023 has
table 3's cell of 1; the synthetic 2024 has others). The waves are attacked
one at a time: the pages never show two waves' figures together (the Évolution
page, which does, is not in this attacker's view). Each wave's two runs (with
and without the policy) are computed once for the module, the second reading
the first's cached queries.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import duckdb
import pytest

from app import stats_tables, withholding
from app.disclosure import Policy
from tests import attack
from tests.test_app_support import K

#: The sample's waves; 2023 is the report's.
WAVES = ("2023", "2024")
REPORT_WAVE = "2023"
ATTACKS = (
    "statistics inversion",
    "differencing of counts",
    "differencing of means",
    "linked tables (counts)",
    "linked tables (totals)",
    "linked tables (means)",
)

Results = dict[str, list[attack.Recovery]]


def _run(warehouse: Path, wave: str, policy: Policy, withhold: bool) -> Results:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        counts, mags, chosen, data = attack.observe(warehouse, con, policy, wave)
        assert len(chosen) > 200 and len(data.ids) > 100, (wave, len(chosen), len(data.ids))
        tests = stats_tables.tests(warehouse, wave)
        withheld = withholding.withheld_comparisons(warehouse, wave, tests, policy) if withhold else set()
        return {
            "statistics inversion": attack.statistics_inversion(warehouse, con, policy, wave, counts, withheld),
            "differencing of counts": attack.count_differencing(counts, K, within_selection=False),
            "differencing of means": attack.mean_differencing(mags, data, K),
            "linked tables (counts)": attack.count_differencing(counts, K, within_selection=True),
            "linked tables (totals)": attack.hidden_from_totals(counts, K),
            "linked tables (means)": attack.mean_differencing(mags, data, K, within_selection=True),
        }
    finally:
        con.close()


@pytest.fixture(scope="module")
def attacked(sample_warehouse: Path) -> Callable[[str, bool], Results]:
    """``attacked(wave, protected)``: the attacks' recoveries on a wave with the policy (and withholding) or without;
    each run is computed once for the module."""
    runs: dict[tuple[str, bool], Results] = {}

    def get(wave: str, protected: bool) -> Results:
        if (wave, protected) not in runs:
            policy = Policy(K) if protected else Policy.unprotected(K)
            runs[(wave, protected)] = _run(sample_warehouse, wave, policy, withhold=protected)
        return runs[(wave, protected)]

    return get


@pytest.mark.parametrize("wave", WAVES)
@pytest.mark.parametrize("attack_name", ATTACKS)
def test_no_attack_recovers_a_group_below_k(attacked, wave: str, attack_name: str) -> None:
    unprotected = attacked(wave, False)
    assert unprotected[attack_name], f"{attack_name}: the attacker finds nothing in {wave} even without the policy"
    protected = attacked(wave, True)
    assert protected[attack_name] == [], protected[attack_name][:5]


def test_without_the_policy_the_issue_s_recoveries_come_back(attacked) -> None:
    unprotected = attacked(REPORT_WAVE, False)
    inverted = {r.what: r.truth for r in unprotected["statistics inversion"]}
    # Table 3 ([[110, 1], [45, 22]]) and table 11 ([[109, 21], [46, 2]]) rebuilt from χ² and margins.
    assert inverted["crosstab:job_description:does_eadmin Oui|Non"] == 1
    assert inverted["crosstab:efs_on_territory:does_eadmin Non|Non"] == 2
    sidebar = [r for r in unprotected["differencing of counts"] if r.what == "population − population"]
    assert sidebar and all(1 <= r.truth < K for r in sidebar)
    salary = [r for r in unprotected["differencing of means"] if r.what == "salary:salary"]
    assert salary and all(r.candidates[0] == pytest.approx(r.truth) for r in salary)


def test_the_sidebar_count_of_a_filtered_selection_is_never_exact_below_a_multiple_of_five() -> None:
    policy = Policy(K)
    shown = {policy.count(n, key) for n in range(K, 60) for key in (0, 12345, 2**31, 2**32 - 1)}
    assert all(value % 5 == 0 for value in shown)
    # Unbiased: over many keys, 12 is shown as 10 three times in five and as 15 twice in five.
    draws = [policy.count(12, key) for key in range(0, 2**32, 2**32 // 5000)]
    assert draws.count(15) / len(draws) == pytest.approx(0.4, abs=0.03)
    assert set(draws) == {10, 15}
