import pytest
from django.core.exceptions import ValidationError

from core.identifiers import is_valid_uscc, uscc_check_character, validate_uscc
from core.privacy import mask_name


def test_uscc_example_from_the_standard_is_valid():
    assert uscc_check_character("91110000600037341") == "L"
    assert is_valid_uscc("91110000600037341L")
    validate_uscc("91110000600037341L")


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("91110000600037341M", "uscc_check"),  # wrong check character
        ("91110000600037341", "uscc_format"),  # 17 characters
        ("91110000600037341L0", "uscc_format"),  # 19 characters
        ("9111000060003734IL", "uscc_format"),  # I is not in the alphabet
        ("91110000600037341l", "uscc_format"),  # lower case
    ],
)
def test_bad_uscc_is_refused_with_its_reason(value, code):
    with pytest.raises(ValidationError) as info:
        validate_uscc(value)
    assert info.value.code == code
    assert not is_valid_uscc(value)


def test_check_character_can_be_any_alphabet_letter_and_is_reported():
    with pytest.raises(ValidationError) as info:
        validate_uscc("91110000600037341M")
    assert "expected L" in info.value.messages[0]


@pytest.mark.parametrize(("name", "masked"), [("王建国", "王**"), ("Wang Wei", "W**"), ("", ""), (" 李 ", "李**")])
def test_mask_name_keeps_first_character_and_hides_length(name, masked):
    assert mask_name(name) == masked
