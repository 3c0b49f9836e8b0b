"""Identifiers of applicants: resident ID numbers, other documents, credit codes, age, masks, phones.

The check characters are also tested against the standards' own definitions, written out here
independently of the module: ISO 7064 MOD 11-2 (GB 11643) and the weights of GB 32100."""

from __future__ import annotations

import calendar
import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bangban.cases.identifiers import (
    CREDIT_CODE_ALPHABET,
    DocumentType,
    IdentifierError,
    age_on,
    credit_code_check_character,
    is_elderly,
    is_mobile,
    mask_id,
    mask_phone,
    normalise_credit_code,
    normalise_document,
    normalise_phone,
    normalise_resident_id,
    parse_document,
    parse_resident_id,
    resident_id_check_character,
)
from bangban.staff.models import anniversary

TODAY = dt.date(2026, 11, 25)


def make_id(area: str, born: dt.date, sequence: str) -> str:
    body = f"{area}{born:%Y%m%d}{sequence}"
    return body + resident_id_check_character(body)


def satisfies_iso_7064_mod_11_2(number: str) -> bool:
    """ISO 7064 MOD 11-2 as the standard defines it: sum of a_i * 2^(i-1) over all 18 characters,
    counted from the right (X = 10), is 1 modulo 11."""
    values = [10 if char == "X" else int(char) for char in number]
    return sum(value * 2 ** (17 - i) for i, value in enumerate(values)) % 11 == 1


#: GB 32100-2015's weights, as printed in the standard.
GB32100_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def satisfies_gb_32100(code: str) -> bool:
    values = [CREDIT_CODE_ALPHABET.index(char) for char in code]
    return (
        sum(v * w for v, w in zip(values[:17], GB32100_WEIGHTS, strict=True)) + values[17]
    ) % 31 == 0


def make_credit_code(body: str) -> str:
    return body + credit_code_check_character(body)


def refusal(function, *args) -> IdentifierError:
    with pytest.raises(IdentifierError) as caught:
        function(*args)
    return caught.value


areas = st.from_regex(r"[1-7][0-9]{5}", fullmatch=True)
births = st.dates(min_value=dt.date(1900, 1, 1), max_value=TODAY)
sequences = st.from_regex(r"[0-9]{3}", fullmatch=True)
credit_characters = st.sampled_from(CREDIT_CODE_ALPHABET)


@st.composite
def resident_ids(draw) -> str:
    return make_id(draw(areas), draw(births), draw(sequences))


@st.composite
def credit_codes(draw) -> str:
    body = (
        draw(st.sampled_from(CREDIT_CODE_ALPHABET[1:]))
        + draw(credit_characters)
        + draw(st.from_regex(r"[0-9]{6}", fullmatch=True))
        + "".join(draw(st.lists(credit_characters, min_size=9, max_size=9)))
    )
    return make_credit_code(body)


# --- resident ID numbers: pinned examples -------------------------------------------------------


def test_the_example_number_of_gb_11643_is_valid():
    resident = parse_resident_id("11010519491231002X", TODAY)
    assert resident.number == "11010519491231002X"
    assert resident.birth_on == dt.date(1949, 12, 31)
    assert resident.sex == "female"
    assert resident.area_code == "110105"


def test_a_yiyuan_number_of_someone_born_in_1945_is_valid():
    # python-stdnum 2.2's cn.ric.validate refuses this very number (InvalidComponent): its table
    # of divisions dates 370323 (沂源县) from 1989, so it rejects everyone in Yiyuan born earlier.
    number = make_id("370323", dt.date(1945, 3, 12), "123")
    assert number == "370323194503121238"
    resident = parse_resident_id(number, TODAY)
    assert resident.birth_on == dt.date(1945, 3, 12)
    assert resident.sex == "male"
    assert resident.area_code == "370323"


def test_an_old_15_digit_number_becomes_18_digits():
    assert normalise_resident_id("370323450312123") == "370323194503121238"


def test_an_old_15_digit_number_parses_with_a_birth_in_the_1900s():
    resident = parse_resident_id("370323450312124", TODAY)
    assert resident.birth_on == dt.date(1945, 3, 12)
    assert resident.sex == "female"


def test_a_lower_case_x_is_accepted_and_upper_cased():
    assert normalise_resident_id("11010519491231002x") == "11010519491231002X"


@pytest.mark.parametrize(
    "typed",
    ["110105 19491231 002X", " 11010519491231002X\t", "１１０１０５１９４９１２３１００２Ｘ"],
)
def test_spaces_and_full_width_characters_are_normalised(typed):
    assert normalise_resident_id(typed) == "11010519491231002X"


@pytest.mark.parametrize("sequence, sex", [("123", "male"), ("124", "female"), ("010", "female")])
def test_the_sequences_last_digit_gives_the_sex(sequence, sex):
    number = make_id("370323", dt.date(1960, 1, 1), sequence)
    assert parse_resident_id(number, TODAY).sex == sex


def test_a_wrong_check_character_is_refused_without_naming_the_right_one():
    error = refusal(normalise_resident_id, "370323194503121237")
    assert error.message == "身份证号码校验位不正确，请核对。"
    assert error.code == "checksum"


@pytest.mark.parametrize("date", ["19450230", "20261301", "19000229", "19451200", "19450100"])
def test_a_birth_date_that_does_not_exist_is_refused(date):
    body = f"370323{date}123"
    error = refusal(normalise_resident_id, body + resident_id_check_character(body))
    assert error.message == f"出生日期 {date} 不存在。"
    assert error.code == "date"


def test_an_old_number_with_an_impossible_date_is_refused():
    assert refusal(normalise_resident_id, "370323450230123").message == "出生日期 19450230 不存在。"


def test_a_birth_after_today_is_refused():
    number = make_id("370323", TODAY + dt.timedelta(days=1), "123")
    assert refusal(parse_resident_id, number, TODAY).message == "出生日期 20261126 晚于今天。"


def test_a_birth_today_is_accepted():
    number = make_id("370323", TODAY, "123")
    assert parse_resident_id(number, TODAY).birth_on == TODAY


def test_a_birth_before_1900_is_refused():
    # GB 11643's own second example, of someone born in 1880.
    assert refusal(normalise_resident_id, "440524188001010014").message == (
        "出生日期 18800101 早于 1900 年。"
    )


@pytest.mark.parametrize(
    "typed",
    ["37032319450312A238", "3703231945O3121238", "3703231945031212X8", "370323194503-21238"],
)
def test_a_letter_or_sign_inside_is_refused(typed):
    error = refusal(normalise_resident_id, typed)
    assert error.message == "身份证号码前 17 位只能是数字，最后一位是数字或 X。"
    assert error.code == "characters"


def test_an_old_number_with_a_letter_is_refused():
    error = refusal(normalise_resident_id, "37032345031212X")
    assert error.message == "15 位旧身份证号码只能由数字组成。"


@pytest.mark.parametrize("typed, n", [("37032319450312123", 17), ("3703231945031212388", 19)])
def test_a_number_of_the_wrong_length_is_refused_with_its_length(typed, n):
    error = refusal(normalise_resident_id, typed)
    assert error.message == f"身份证号码应为 18 位（或 15 位旧号码），现为 {n} 位。"
    assert error.code == "length"


def test_an_empty_number_is_refused():
    assert refusal(normalise_resident_id, "  ").message == "请填写身份证号码。"


def test_a_residence_permit_number_typed_as_a_resident_id_names_the_right_type():
    error = refusal(normalise_resident_id, make_id("810000", dt.date(1980, 5, 1), "003"))
    assert "港澳台居民居住证" in error.message
    assert error.code == "prefix"


def test_a_permanent_residence_number_typed_as_a_resident_id_names_the_right_type():
    error = refusal(normalise_resident_id, make_id("915840", dt.date(1980, 5, 1), "003"))
    assert "外国人永久居留身份证" in error.message


def test_a_number_beginning_with_0_is_refused():
    assert refusal(
        normalise_resident_id, make_id("012345", dt.date(1980, 5, 1), "003")
    ).message == ("身份证号码不能以 0 开头。")


# --- resident ID numbers: properties ------------------------------------------------------------


@given(area=areas, born=births, sequence=sequences)
def test_every_well_formed_number_validates_and_round_trips(area, born, sequence):
    number = make_id(area, born, sequence)
    resident = parse_resident_id(number, TODAY)
    assert resident.number == number
    assert resident.birth_on == born
    assert resident.area_code == area
    assert resident.sex == ("male" if int(sequence[-1]) % 2 else "female")


@given(number=resident_ids())
def test_typing_variants_normalise_to_the_same_number(number):
    spaced = f"{number[:6]} {number[6:14]} {number[14:]}".lower()
    assert normalise_resident_id(spaced) == number


@given(number=resident_ids())
def test_the_check_character_satisfies_iso_7064_mod_11_2(number):
    assert satisfies_iso_7064_mod_11_2(number)


@given(
    number=resident_ids(), position=st.integers(0, 17), replacement=st.sampled_from("0123456789X")
)
def test_changing_any_single_character_is_detected(number, position, replacement):
    if number[position] == replacement:
        replacement = "1" if replacement != "1" else "2"
    changed = number[:position] + replacement + number[position + 1 :]
    with pytest.raises(IdentifierError):
        parse_resident_id(changed, TODAY)


@given(
    area=areas,
    born=st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(1999, 12, 31)),
    sequence=sequences,
)
def test_every_old_number_converts_to_the_18_digit_number(area, born, sequence):
    old = f"{area}{born:%y%m%d}{sequence}"
    assert normalise_resident_id(old) == make_id(area, born, sequence)


# --- other documents ----------------------------------------------------------------------------


@pytest.mark.parametrize("area", ["810000", "820000", "830000"])
def test_a_residence_permit_of_hong_kong_macao_or_taiwan_is_valid(area):
    number = make_id(area, dt.date(1980, 5, 1), "003")
    document = parse_document(DocumentType.HK_MACAO_TAIWAN_PERMIT, number.lower(), TODAY)
    assert document.number == number
    assert document.birth_on == dt.date(1980, 5, 1)
    assert document.sex == "male"


def test_a_residence_permit_with_a_mainland_area_code_is_refused():
    number = make_id("370323", dt.date(1980, 5, 1), "003")
    error = refusal(parse_document, DocumentType.HK_MACAO_TAIWAN_PERMIT, number, TODAY)
    assert error.message == (
        "港澳台居民居住证号码应以 810000（香港）、820000（澳门）或 830000（台湾）开头。"
    )


def test_a_residence_permit_with_a_wrong_check_character_is_refused():
    number = make_id("810000", dt.date(1980, 5, 1), "003")
    wrong = number[:17] + ("1" if number[17] != "1" else "2")
    error = refusal(parse_document, DocumentType.HK_MACAO_TAIWAN_PERMIT, wrong, TODAY)
    assert error.message == "港澳台居民居住证号码校验位不正确，请核对。"


def test_a_residence_permit_born_after_today_is_refused():
    number = make_id("820000", TODAY + dt.timedelta(days=1), "002")
    error = refusal(parse_document, DocumentType.HK_MACAO_TAIWAN_PERMIT, number, TODAY)
    assert error.code == "date"


def test_a_2023_permanent_residence_card_is_valid_by_its_check_character():
    body = "93784019800501003"
    number = body + resident_id_check_character(body)
    document = parse_document(DocumentType.FOREIGN_PERMANENT_RESIDENCE, number, TODAY)
    assert document.number == number
    assert document.birth_on is None  # the layout after the leading 9 is not relied on


def test_a_2023_permanent_residence_card_with_a_wrong_check_character_is_refused():
    body = "93784019800501003"
    wrong = body + ("1" if resident_id_check_character(body) != "1" else "2")
    error = refusal(parse_document, DocumentType.FOREIGN_PERMANENT_RESIDENCE, wrong, TODAY)
    assert error.message == "外国人永久居留身份证号码校验位不正确，请核对。"


def test_an_18_character_permanent_residence_card_must_begin_with_9():
    number = make_id("370323", dt.date(1980, 5, 1), "003")
    error = refusal(parse_document, DocumentType.FOREIGN_PERMANENT_RESIDENCE, number, TODAY)
    assert error.code == "characters"


def test_an_old_permanent_residence_card_is_checked_for_shape_and_upper_cased():
    number = normalise_document(DocumentType.FOREIGN_PERMANENT_RESIDENCE, "usa 370080050101", TODAY)
    assert number == "USA370080050101"


@pytest.mark.parametrize("typed", ["US1370080050101", "USA37008005010X", "USA3700800501"])
def test_an_old_permanent_residence_card_of_the_wrong_shape_is_refused(typed):
    with pytest.raises(IdentifierError):
        parse_document(DocumentType.FOREIGN_PERMANENT_RESIDENCE, typed, TODAY)


def test_a_passport_number_is_upper_cased():
    assert normalise_document(DocumentType.PASSPORT, "e1234 5678", TODAY) == "E12345678"


@pytest.mark.parametrize("typed", ["E123", "E12345678-", "E" * 31])
def test_a_passport_number_of_the_wrong_shape_is_refused(typed):
    error = refusal(parse_document, DocumentType.PASSPORT, typed, TODAY)
    assert error.message == "护照号码应为 5–30 位字母或数字。"


def test_another_document_may_carry_chinese_characters():
    assert normalise_document(DocumentType.OTHER, "军字第0012345号", TODAY) == "军字第0012345号"


def test_another_document_of_the_wrong_shape_is_refused():
    error = refusal(parse_document, DocumentType.OTHER, "12#45", TODAY)
    assert error.message == "证件号码应为 5–30 位字母、数字或汉字。"


def test_a_resident_id_document_is_the_normalised_resident_id():
    document = parse_document("resident_id", "370323450312123", TODAY)
    assert document.number == "370323194503121238"
    assert document.birth_on == dt.date(1945, 3, 12)


def test_an_empty_document_number_is_refused():
    assert refusal(parse_document, DocumentType.PASSPORT, "", TODAY).code == "required"


def test_an_unknown_document_type_is_a_programming_error():
    with pytest.raises(ValueError) as caught:
        parse_document("driving_licence", "E12345678", TODAY)
    assert not isinstance(caught.value, IdentifierError)


def test_document_types_are_labelled_in_chinese():
    assert DocumentType.HK_MACAO_TAIWAN_PERMIT.label == "港澳台居民居住证"
    assert DocumentType.FOREIGN_PERMANENT_RESIDENCE.label == "外国人永久居留身份证"


# --- unified social credit codes ----------------------------------------------------------------


def test_a_published_credit_code_is_valid():
    assert satisfies_gb_32100("91350100M000100Y43")
    assert normalise_credit_code("91350100M000100Y43") == "91350100M000100Y43"


@pytest.mark.parametrize(
    "code",
    [
        "N2370323MF0A1B2C3D",  # shaped like a village collective economic organisation in Yiyuan
        "Y1370323MJ12345674",  # registration authority 其他
    ],
)
def test_codes_beginning_with_n_or_y_are_valid(code):
    # python-stdnum 2.2's cn.uscc.validate refuses both (InvalidFormat): it does not know N or Y.
    assert normalise_credit_code(code) == code


@pytest.mark.parametrize("authority", CREDIT_CODE_ALPHABET[1:])
def test_every_registration_authority_is_accepted(authority):
    code = make_credit_code(f"{authority}1370323MA3C12345")
    assert normalise_credit_code(code) == code


def test_a_lower_case_credit_code_is_upper_cased():
    assert normalise_credit_code(" 91350100m000100y43 ") == "91350100M000100Y43"


@pytest.mark.parametrize("letter", "IOSVZ")
def test_a_letter_outside_the_alphabet_is_refused_by_name(letter):
    error = refusal(normalise_credit_code, f"91350100M0001{letter}0Y43")
    assert (
        error.message == f"统一社会信用代码含有不允许的字母 {letter}（代码不使用 I、O、S、V、Z）。"
    )


def test_several_letters_outside_the_alphabet_are_all_named():
    error = refusal(normalise_credit_code, "91350100MOOOIOOY43".lower())
    assert error.message == "统一社会信用代码含有不允许的字母 I、O（代码不使用 I、O、S、V、Z）。"


def test_a_sign_inside_a_credit_code_is_refused():
    error = refusal(normalise_credit_code, "91350100-000100Y43")
    assert error.message == "统一社会信用代码只能由数字和大写字母组成。"


def test_a_credit_code_of_the_wrong_length_is_refused_with_its_length():
    error = refusal(normalise_credit_code, "91350100M000100Y4")
    assert error.message == "统一社会信用代码应为 18 位，现为 17 位。"


def test_a_credit_code_beginning_with_0_is_refused():
    code = make_credit_code("01370323MA3C12345")
    assert refusal(normalise_credit_code, code).code == "prefix"


def test_a_credit_code_with_letters_in_the_division_code_is_refused():
    code = make_credit_code("9137A323MA3C12345")
    error = refusal(normalise_credit_code, code)
    assert error.message == "统一社会信用代码第 3–8 位（登记管理机关行政区划码）应为数字。"


def test_a_credit_code_with_a_wrong_check_character_is_refused():
    error = refusal(normalise_credit_code, "91350100M000100Y44")
    assert error.message == "统一社会信用代码校验位不正确，请核对。"
    assert error.code == "checksum"


def test_an_empty_credit_code_is_refused():
    assert refusal(normalise_credit_code, "").message == "请填写统一社会信用代码。"


@given(code=credit_codes())
def test_every_well_formed_credit_code_validates_in_any_case(code):
    assert normalise_credit_code(code) == code
    assert normalise_credit_code(code.lower()) == code


@given(code=credit_codes())
def test_the_check_character_satisfies_the_weights_of_gb_32100(code):
    assert satisfies_gb_32100(code)


@given(code=credit_codes(), position=st.integers(0, 17), replacement=credit_characters)
def test_changing_any_single_character_of_a_credit_code_is_detected(code, position, replacement):
    if code[position] == replacement:
        replacement = "1" if replacement != "1" else "2"
    changed = code[:position] + replacement + code[position + 1 :]
    with pytest.raises(IdentifierError):
        normalise_credit_code(changed)


# --- age and the elderly flag -------------------------------------------------------------------


def test_someone_is_elderly_on_their_60th_birthday():
    assert age_on(dt.date(1966, 11, 25), TODAY) == 60
    assert is_elderly(dt.date(1966, 11, 25), TODAY)


def test_someone_is_not_elderly_the_day_before_their_60th_birthday():
    assert age_on(dt.date(1966, 11, 26), TODAY) == 59
    assert not is_elderly(dt.date(1966, 11, 26), TODAY)


def test_the_elderly_age_is_a_setting():
    assert not is_elderly(dt.date(1966, 11, 25), TODAY, threshold=65)
    assert is_elderly(dt.date(1961, 11, 25), TODAY, threshold=65)


def test_a_leap_day_birth_turns_a_year_older_on_28_february_in_a_common_year():
    born = dt.date(2024, 2, 29)
    assert age_on(born, dt.date(2025, 2, 27)) == 0
    assert age_on(born, dt.date(2025, 2, 28)) == 1


def test_a_leap_day_birth_has_its_birthday_on_29_february_in_a_leap_year():
    born = dt.date(1964, 2, 29)
    assert not is_elderly(born, dt.date(2024, 2, 28))
    assert is_elderly(born, dt.date(2024, 2, 29))


def test_a_leap_day_birth_turns_60_on_28_february_of_a_common_century_year():
    born = dt.date(2040, 2, 29)
    assert age_on(born, dt.date(2100, 2, 27)) == 59
    assert age_on(born, dt.date(2100, 2, 28)) == 60


def test_the_birth_day_itself_is_age_0():
    assert age_on(TODAY, TODAY) == 0


def test_a_day_before_the_birth_has_no_age():
    with pytest.raises(ValueError):
        age_on(TODAY, TODAY - dt.timedelta(days=1))


@given(born=st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2099, 12, 31)))
def test_one_year_of_age_is_reached_on_the_staff_apps_anniversary(born):
    assert age_on(born, anniversary(born)) == 1
    assert age_on(born, anniversary(born) - dt.timedelta(days=1)) == 0


@given(
    born=st.dates(min_value=dt.date(1900, 1, 1), max_value=TODAY),
    later=st.integers(0, 45_000),
)
def test_age_is_counted_in_full_years(born, later):
    day = born + dt.timedelta(days=later)
    birthday = (born.month, born.day)
    if birthday == (2, 29) and not calendar.isleap(day.year):
        birthday = (2, 28)
    expected = day.year - born.year - ((day.month, day.day) < birthday)
    assert age_on(born, day) == expected


# --- masks --------------------------------------------------------------------------------------


def test_an_18_character_number_shows_its_first_6_and_last_4_characters():
    assert mask_id("370323194503121238") == "370323********1238"


@pytest.mark.parametrize(
    "number, masked",
    [
        ("USA370080050101", "USA********0101"),
        ("E12345678", "E12**5678"),
        ("E1234567", "******67"),
        ("AB1", "*B1"),
        ("12", "**"),
        ("", ""),
    ],
)
def test_other_numbers_show_at_most_7_characters(number, masked):
    assert mask_id(number) == masked


@given(number=st.text(alphabet="0123456789ABCXYZ军字号", max_size=40))
def test_a_mask_is_as_long_as_the_number_and_hides_all_but_a_few_characters(number):
    masked = mask_id(number)
    assert len(masked) == len(number)
    shown = sum(char != "*" for char in masked)
    assert shown <= (10 if len(number) == 18 else 7)
    assert shown < len(number) or not number


@pytest.mark.parametrize(
    "phone, masked",
    [
        ("13812341234", "138****1234"),
        ("0533-3241201", "0533-***1201"),
        ("010-12345678", "010-****5678"),
        ("0533-3241201转8001", "0533-***1201转8001"),
        ("12345", "***45"),
        ("1", "*"),
        ("+8613812341234", "+86*******1234"),
    ],
)
def test_a_phone_is_masked(phone, masked):
    assert mask_phone(phone) == masked


@given(phone=st.text(alphabet="0123456789-+转()", max_size=30))
def test_a_masked_phone_is_as_long_as_the_phone(phone):
    assert len(mask_phone(phone)) == len(phone)


# --- phones -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "typed",
    [
        "13812341234",
        "138 1234 1234",
        "138-1234-1234",
        "+86 138 1234 1234",
        "+86-13812341234",
        "8613812341234",
        "１３８１２３４１２３４",
    ],
)
def test_a_mobile_number_is_normalised_to_11_digits(typed):
    assert normalise_phone(typed) == "13812341234"


@pytest.mark.parametrize(
    "typed, phone",
    [
        ("0533-3241201", "0533-3241201"),
        ("05333241201", "0533-3241201"),
        ("0533 3241201", "0533-3241201"),
        ("(0533)3241201", "0533-3241201"),
        ("（0533）3241201", "0533-3241201"),
        ("010-12345678", "010-12345678"),
        ("01012345678", "010-12345678"),
        ("0533-3241201-8001", "0533-3241201转8001"),
        ("0533-3241201转8001", "0533-3241201转8001"),
        ("053332412018", "0533-32412018"),
    ],
)
def test_a_landline_is_normalised_to_area_code_hyphen_number(typed, phone):
    assert normalise_phone(typed) == phone


@pytest.mark.parametrize(
    "typed, message",
    [
        ("12812341234", "手机号码应为 11 位数字，以 13–19 开头。"),
        ("1381234123", "手机号码应为 11 位数字，以 13–19 开头。"),
        ("+86 1381234123", "手机号码应为 11 位数字，以 13–19 开头。"),
        ("0533-32412", "固定电话应为区号加 7–8 位号码，如 0533-3241201。"),
        ("010-123456789", "固定电话应为区号加 7–8 位号码，如 0533-3241201。"),
        ("3241201", "请填写 11 位手机号码，或带区号的固定电话（如 0533-3241201）。"),
        ("138abc41234", "电话号码只能包含数字、“+”、“-”、括号和“转”。"),
        ("", "请填写电话号码。"),
    ],
)
def test_a_wrong_phone_is_refused_with_the_reason(typed, message):
    assert refusal(normalise_phone, typed).message == message


@pytest.mark.parametrize("typed", ["13812341234", "+86 138 1234 1234", "19912341234"])
def test_a_mobile_can_receive_text_messages(typed):
    assert is_mobile(typed)


@pytest.mark.parametrize("typed", ["0533-3241201", "12812341234", "", "not a phone"])
def test_a_landline_or_an_invalid_number_cannot_receive_text_messages(typed):
    assert not is_mobile(typed)


@given(mobile=st.from_regex(r"1[3-9][0-9]{9}", fullmatch=True))
def test_every_mobile_normalises_to_itself_and_masks_to_3_and_4_digits(mobile):
    assert normalise_phone(mobile) == mobile
    assert is_mobile(mobile)
    assert mask_phone(mobile) == mobile[:3] + "****" + mobile[-4:]
