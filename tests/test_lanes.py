"""The tests' fast password hasher stays in the tests: the product still hashes with Argon2."""

from __future__ import annotations

import pytest
from django.contrib.auth.hashers import get_hasher

from webapp.config import settings as product_settings


def test_the_product_hashes_passwords_with_argon2_first():
    # The settings module itself, not django.conf.settings (which the tests override).
    assert product_settings.PASSWORD_HASHERS[0] == (
        "django.contrib.auth.hashers.Argon2PasswordHasher"
    )


def test_tests_hash_passwords_with_the_fast_hasher():
    assert get_hasher().algorithm == "md5"


@pytest.mark.product_hashers
def test_a_test_marked_product_hashers_hashes_as_the_product_does():
    assert get_hasher().algorithm == "argon2"
