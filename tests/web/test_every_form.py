"""Every form of the platform is filled by clicking and typing in a browser test, and the
page it leads to is looked at (issue #17).

The forms come from the templates: each ``<form>`` by its template and the URL names in
its ``action`` ("-" when it posts to its own page). A new form fails this test until a
browser test fills it (FILLED_BY); there is no list of exemptions."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = ROOT / "src" / "doconnect"

ALLOCATION = (
    "tests/allocation/test_allocation_browser.py::"
    "test_a_coordinator_runs_reviews_and_sends_an_allocation_in_the_browser"
)
CASEWORK = (
    "tests/casework/test_casework_browser.py::"
    "test_a_case_worker_writes_a_note_and_sets_a_follow_up_by_clicking"
)
TASKS = (
    "tests/casework/test_tasks_browser.py::"
    "test_a_follow_up_set_today_shows_on_the_task_page_and_in_the_count"
)
SETTINGS = (
    "tests/casework/test_tasks_browser.py::"
    "test_the_settings_page_switches_the_digest_on_and_shows_the_calendar_address_once"
)
PASSWORD = (
    "tests/core/test_password_set_browser.py::"
    "test_an_imported_user_sets_a_password_from_the_mail_and_signs_in_with_it"
)
DECISION = (
    "tests/decisions/test_policy_forms_browser.py::"
    "test_a_coordinator_takes_a_decision_from_draft_to_withdrawal_by_typing"
)
PREVIEW = (
    "tests/decisions/test_decision_browser.py::test_the_decision_pages_preview_weights_and_pass_axe"
)
REPORT = (
    "tests/decisions/test_policy_forms_browser.py::"
    "test_a_coordinator_publishes_the_yearly_report_after_the_preview_and_withdraws_it"
)
PATHWAYS = (
    "tests/pathways/test_pathways_browser.py::"
    "test_a_coordinator_sees_dead_ends_first_and_redraws_the_network_by_choosing_a_district"
)
AGREEMENT = (
    "tests/people/agreements/test_agreement_browser.py::"
    "test_a_case_worker_concludes_an_agreement_by_clicking_and_takes_the_pdf_home"
)
PRIVACY = (
    "tests/people/test_privacy_browser.py::"
    "test_a_coordinator_exports_and_erases_and_the_officer_finds_both_in_the_log"
)
PERSON_LIST = (
    "tests/people/test_person_list_browser.py::"
    "test_a_case_worker_sorts_her_cases_by_due_date_and_acts_from_the_person_page"
)
EDITING = (
    "tests/people/test_editing_browser.py::"
    "test_a_case_worker_changes_the_address_and_records_a_spell_by_clicking"
)
REGISTRATION = (
    "tests/people/test_registration_browser.py::"
    "test_a_case_worker_registers_a_person_meets_the_duplicate_warning_and_confirms"
)
MERGE = "tests/people/test_registration_browser.py::test_a_coordinator_merges_a_pair_from_the_queue"
SCENARIO = (
    "tests/scenarios/test_scenario_form_browser.py::"
    "test_a_scenario_typed_into_the_form_covers_the_demand_and_spends_the_bridge"
)
TRANSITIONS = (
    "tests/transitions/test_transitions_browser.py::"
    "test_a_coordinator_computes_and_reads_a_transitions_report_in_the_browser"
)
DAY = "tests/web/test_case_workers_day.py::test_a_case_worker_does_a_whole_day_by_clicking"
ROLE_WALK = "tests/web/test_role_walk.py::test_each_role_does_its_daily_work_in_the_browser"
LANGUAGE = (
    "tests/web/test_role_walk.py::test_the_pages_work_in_english_after_switching_the_language"
)
TOTP = (
    "tests/web/test_signin_browser.py::"
    "test_a_case_worker_sets_up_the_app_and_signs_in_with_its_code"
)
SIGN_OUT = (
    "tests/web/test_signin_provider.py::"
    "test_a_case_worker_signs_in_at_the_provider_and_lands_in_the_mapped_role"
)

PERSON_FORMS = (
    "tests/people/test_person_forms_browser.py::"
    "test_a_case_worker_fills_the_small_forms_of_a_person_page_by_typing"
)
FORUM = (
    "tests/forum/test_forum_forms_browser.py::"
    "test_a_coordinator_runs_a_session_by_typing_into_its_forms"
)
FORUM_FILTERS = (
    "tests/forum/test_forum_forms_browser.py::test_the_conference_lists_filter_by_what_is_chosen"
)
FILTERS = (
    "tests/web/test_filter_forms_browser.py::"
    "test_the_lists_filter_by_the_choice_made_in_their_forms"
)
ALLOCATION_FORMS = "tests/allocation/test_allocation_forms_browser.py::"
WEIGHTS = ALLOCATION_FORMS + "test_a_coordinator_types_priority_weights_with_a_reason"
RUN_FILTER = ALLOCATION_FORMS + "test_the_persons_of_a_run_are_filtered_by_what_is_chosen"
MARKET_DISTRICT = (
    "tests/labourmarket/test_market_district_browser.py::"
    "test_a_coordinator_compares_the_districts_by_another_indicator"
)
AGREEMENT_CLOSE = (
    "tests/people/agreements/test_agreement_close_browser.py::"
    "test_a_case_worker_closes_an_agreement_from_the_person_page"
)
DISMISS = (
    "tests/people/test_duplicate_dismiss_browser.py::"
    "test_a_coordinator_dismisses_a_pair_of_two_different_persons"
)
INBOX_RETRY = (
    "tests/referrals/test_inbox_retry_browser.py::"
    "test_a_refused_decline_on_page_two_is_answered_again_at_the_top"
)
SCENARIO_FORMS = "tests/scenarios/test_scenario_compare_browser.py::"
COMPARE_TICKED = SCENARIO_FORMS + "test_a_coordinator_ticks_two_runs_and_compares_them"
RUN_FORMS = SCENARIO_FORMS + "test_one_run_is_compared_with_another_and_taken_into_a_decision"
CASEWORK_PAGES = (
    "tests/people/test_person_forms_browser.py::"
    "test_the_casework_pages_take_a_note_a_follow_up_an_appointment_and_a_responsibility"
)

# (template, action) -> the browser test that fills and submits it
FILLED_BY: dict[tuple[str, str], tuple[str, ...]] = {
    ("allocation/allocation_confirm.html", "-"): (ALLOCATION,),
    ("casework/includes/person_follow_ups.html", "casework_follow_ups"): (DAY,),
    ("casework/includes/person_notes.html", "casework_notes"): (CASEWORK,),
    ("casework/includes/person_responsible.html", "casework_responsible"): (CASEWORK,),
    ("casework/task_settings.html", "task_settings"): (SETTINGS,),
    ("casework/tasks.html", "tasks"): (TASKS,),
    ("core/password_set.html", "-"): (PASSWORD,),
    ("decisions/criterion_form.html", "decision_criterion_add"): (DECISION,),
    ("decisions/detail.html", "decision_publish"): (DECISION,),
    ("decisions/detail.html", "decision_withdraw"): (DECISION,),
    ("decisions/detail.html", "decision_weights,decision_preview"): (DECISION, PREVIEW),
    ("decisions/new.html", "decision_new"): (DECISION,),
    ("decisions/option_form.html", "decision_option_values,decision_option_add"): (DECISION,),
    ("decisions/record.html", "decision_record"): (DECISION,),
    ("transparency/transparency_preview.html", "transparency_publish"): (REPORT,),
    ("transparency/transparency_withdraw.html", "-"): (REPORT,),
    ("offers/offer_edit.html", "offer_edit"): (ROLE_WALK,),
    ("pathways/includes/next_step.html", "-"): (DAY,),
    ("pathways/pathways.html", "pathways"): (PATHWAYS,),
    ("agreements/agreement_detail.html", "agreement_item_update"): (AGREEMENT,),
    ("agreements/agreement_form.html", "-"): (AGREEMENT, DAY),
    ("people/audit_log.html", "audit_log"): (PRIVACY,),
    ("people/duplicate_list.html", "person_duplicate_merge"): (MERGE,),
    ("people/person_detail.html", "referral_action"): (DAY,),
    ("people/person_edit.html", "person_edit"): (EDITING, PERSON_LIST),
    ("people/person_list.html", "person_list,person_list"): (PERSON_LIST, ROLE_WALK),
    ("people/person_register.html", "person_register"): (REGISTRATION, DAY),
    ("people/privacy_requests.html", "privacy_requests"): (PRIVACY,),
    ("people/privacy_requests.html", "privacy_export"): (PRIVACY,),
    ("people/privacy_requests.html", "privacy_erase"): (PRIVACY,),
    ("people/spell_form.html", "spell_edit,spell_new"): (EDITING, DAY),
    ("referrals/referral_table.html", "referral_action"): (ROLE_WALK,),
    ("scenarios/list.html", "-"): (SCENARIO,),
    ("registration/code_form.html", "-"): (TOTP,),
    ("registration/login.html", "login"): (TOTP,),
    ("web/base.html", "logout"): (SIGN_OUT,),
    ("web/base.html", "set_language"): (LANGUAGE, PERSON_LIST),
    ("web/includes/job_start.html", "-"): (SCENARIO, TRANSITIONS, ALLOCATION),
    ("casework/notes.html", "casework_notes"): (CASEWORK_PAGES,),
    ("casework/responsible.html", "casework_responsible"): (CASEWORK_PAGES,),
    ("casework/schedule.html", "casework_follow_ups"): (CASEWORK_PAGES,),
    ("casework/schedule.html", "casework_appointments"): (CASEWORK_PAGES,),
    ("labourmarket/includes/market_page_head.html", "-"): (FILTERS,),
    ("labourmarket/market.html", "-"): (FILTERS,),
    ("offers/offer_list.html", "offer_list,offer_list"): (FILTERS,),
    ("referrals/referral_inbox.html", "referral_inbox"): (FILTERS,),
    ("casework/includes/appointment_item.html", "casework_appointment_status"): (PERSON_FORMS,),
    ("casework/includes/follow_up_item.html", "casework_follow_up_done"): (PERSON_FORMS,),
    ("casework/includes/note_entry.html", "casework_note_correct"): (PERSON_FORMS,),
    ("casework/includes/person_follow_ups.html", "casework_appointments"): (PERSON_FORMS,),
    ("forum/actor_list.html", "-"): (FORUM_FILTERS,),
    ("forum/commitment_board.html", "-"): (FORUM_FILTERS,),
    ("forum/commitment_detail.html", "forum_commitment_publish"): (FORUM,),
    ("forum/commitment_detail.html", "forum_commitment"): (FORUM,),
    ("forum/network.html", "-"): (FORUM_FILTERS,),
    ("forum/session_detail.html", "forum_session_agenda"): (FORUM,),
    ("forum/session_detail.html", "forum_session_document"): (FORUM,),
    ("forum/session_detail.html", "forum_session_participant"): (FORUM,),
    ("forum/session_detail.html", "forum_session_minutes"): (FORUM,),
    ("forum/session_detail.html", "forum_decision_publish"): (FORUM,),
    ("forum/session_detail.html", "forum_session_decision"): (FORUM,),
    ("forum/session_detail.html", "forum_session_commitment"): (FORUM,),
    ("forum/session_list.html", "forum_sessions"): (FORUM,),
    ("people/person_detail.html", "person_detail"): (PERSON_FORMS,),
    ("people/person_detail.html", "consent_withdraw"): (PERSON_FORMS,),
    ("people/person_detail.html", "consent_extend"): (PERSON_FORMS,),
    ("people/person_detail.html", "consent_give"): (PERSON_FORMS,),
    ("people/person_detail.html", "person_wishes"): (PERSON_FORMS,),
    ("people/spell_end.html", "spell_end"): (PERSON_FORMS,),
    ("allocation/allocation_weights.html", "allocation_weights"): (WEIGHTS,),
    ("allocation/allocation_run.html", "allocation_run"): (RUN_FILTER,),
    ("labourmarket/market_district.html", "-"): (MARKET_DISTRICT,),
    ("agreements/agreement_detail.html", "agreement_close"): (AGREEMENT_CLOSE,),
    ("people/duplicate_list.html", "person_duplicate_dismiss"): (DISMISS,),
    ("referrals/referral_inbox.html", "referral_action"): (INBOX_RETRY,),
    ("scenarios/detail.html", "scenario_compare"): (COMPARE_TICKED,),
    ("scenarios/run.html", "scenario_run_to_decision"): (RUN_FORMS,),
    ("scenarios/run.html", "scenario_compare"): (RUN_FORMS,),
}


def template_forms() -> set[tuple[str, str]]:
    """(template, URL names of the action) of every ``<form>`` in the templates."""
    forms = set()
    for path in TEMPLATES.glob("**/templates/**/*.html"):
        name = str(path).split("/templates/", 1)[1]
        for tag in re.findall(r"<form\b[^>]*>", path.read_text(), flags=re.S):
            actions = re.findall(r"\{% url '(?:web:)?(\w+)'", tag)
            forms.add((name, ",".join(actions) or "-"))
    return forms


def browser_test_functions(path: Path) -> dict[str, str]:
    """The source of each test function of a browser test module."""
    source = path.read_text()
    assert "pytest.mark.browser" in source, f"{path} is no browser test"
    return {
        node.name: ast.get_source_segment(source, node) or ""
        for node in ast.parse(source).body
        if isinstance(node, ast.FunctionDef) and node.name.startswith("test_")
    }


def test_every_form_is_filled_in_a_browser_test() -> None:
    found = template_forms()
    listed = set(FILLED_BY)
    assert not found - listed, f"forms no browser test fills: {sorted(found - listed)}"
    assert not listed - found, f"listed forms that are gone: {sorted(listed - found)}"


def test_each_named_browser_test_exists_and_clicks_or_types() -> None:
    for form, tests in FILLED_BY.items():
        for test in tests:
            file, function = test.split("::")
            functions = browser_test_functions(ROOT / file)
            assert function in functions, f"{form}: {test} is gone"
            body = functions[function]
            assert ".click()" in body or ".fill(" in body, f"{form}: {test} types nothing"
