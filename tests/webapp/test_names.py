"""A person's name, written once (webapp/accounts/names.py)."""

from __future__ import annotations

from django.contrib.auth import get_user_model

from webapp.accounts.names import display_name, full_name


def test_it_names_a_person_family_name_first_without_a_space() -> None:
    user = get_user_model()(username="hr_cg", last_name="刘", first_name="晓梅")
    assert (full_name(user), display_name(user)) == ("刘晓梅", "刘晓梅")


def test_it_falls_back_to_the_sign_in_name_when_the_account_has_no_name() -> None:
    user = get_user_model()(username="designer", last_name=" ", first_name="")
    assert (full_name(user), display_name(user)) == ("", "designer")
