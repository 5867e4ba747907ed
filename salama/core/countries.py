"""ISO 3166-1 alpha-2 country codes (the codes HTCDS and CTDC use) with their names.

The names are the English ones of ISO 3166, marked for translation: a form shows them in the
language of the request, in that language's alphabetical order.
"""

from __future__ import annotations

import unicodedata
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

# fmt: off
COUNTRIES: dict[str, StrOrPromise] = {
    "AD": _("Andorra"), "AE": _("United Arab Emirates"), "AF": _("Afghanistan"),
    "AG": _("Antigua and Barbuda"), "AI": _("Anguilla"), "AL": _("Albania"), "AM": _("Armenia"),
    "AO": _("Angola"), "AQ": _("Antarctica"), "AR": _("Argentina"), "AS": _("American Samoa"),
    "AT": _("Austria"), "AU": _("Australia"), "AW": _("Aruba"), "AX": _("Åland Islands"),
    "AZ": _("Azerbaijan"), "BA": _("Bosnia and Herzegovina"), "BB": _("Barbados"),
    "BD": _("Bangladesh"), "BE": _("Belgium"), "BF": _("Burkina Faso"), "BG": _("Bulgaria"),
    "BH": _("Bahrain"), "BI": _("Burundi"), "BJ": _("Benin"), "BL": _("Saint Barthélemy"),
    "BM": _("Bermuda"), "BN": _("Brunei Darussalam"), "BO": _("Bolivia"),
    "BQ": _("Bonaire, Sint Eustatius and Saba"), "BR": _("Brazil"), "BS": _("Bahamas"),
    "BT": _("Bhutan"), "BV": _("Bouvet Island"), "BW": _("Botswana"), "BY": _("Belarus"),
    "BZ": _("Belize"), "CA": _("Canada"), "CC": _("Cocos (Keeling) Islands"),
    "CD": _("Congo, Democratic Republic of the"), "CF": _("Central African Republic"),
    "CG": _("Congo"), "CH": _("Switzerland"), "CI": _("Côte d'Ivoire"), "CK": _("Cook Islands"),
    "CL": _("Chile"), "CM": _("Cameroon"), "CN": _("China"), "CO": _("Colombia"),
    "CR": _("Costa Rica"), "CU": _("Cuba"), "CV": _("Cabo Verde"), "CW": _("Curaçao"),
    "CX": _("Christmas Island"), "CY": _("Cyprus"), "CZ": _("Czechia"), "DE": _("Germany"),
    "DJ": _("Djibouti"), "DK": _("Denmark"), "DM": _("Dominica"), "DO": _("Dominican Republic"),
    "DZ": _("Algeria"), "EC": _("Ecuador"), "EE": _("Estonia"), "EG": _("Egypt"),
    "EH": _("Western Sahara"), "ER": _("Eritrea"), "ES": _("Spain"), "ET": _("Ethiopia"),
    "FI": _("Finland"), "FJ": _("Fiji"), "FK": _("Falkland Islands (Malvinas)"),
    "FM": _("Micronesia"), "FO": _("Faroe Islands"), "FR": _("France"), "GA": _("Gabon"),
    "GB": _("United Kingdom"), "GD": _("Grenada"), "GE": _("Georgia"), "GF": _("French Guiana"),
    "GG": _("Guernsey"), "GH": _("Ghana"), "GI": _("Gibraltar"), "GL": _("Greenland"),
    "GM": _("Gambia"), "GN": _("Guinea"), "GP": _("Guadeloupe"), "GQ": _("Equatorial Guinea"),
    "GR": _("Greece"), "GS": _("South Georgia and the South Sandwich Islands"),
    "GT": _("Guatemala"), "GU": _("Guam"), "GW": _("Guinea-Bissau"), "GY": _("Guyana"),
    "HK": _("Hong Kong"), "HM": _("Heard Island and McDonald Islands"), "HN": _("Honduras"),
    "HR": _("Croatia"), "HT": _("Haiti"), "HU": _("Hungary"), "ID": _("Indonesia"),
    "IE": _("Ireland"), "IL": _("Israel"), "IM": _("Isle of Man"), "IN": _("India"),
    "IO": _("British Indian Ocean Territory"), "IQ": _("Iraq"), "IR": _("Iran"), "IS": _("Iceland"),
    "IT": _("Italy"), "JE": _("Jersey"), "JM": _("Jamaica"), "JO": _("Jordan"), "JP": _("Japan"),
    "KE": _("Kenya"), "KG": _("Kyrgyzstan"), "KH": _("Cambodia"), "KI": _("Kiribati"),
    "KM": _("Comoros"), "KN": _("Saint Kitts and Nevis"),
    "KP": _("Korea, Democratic People's Republic of"), "KR": _("Korea, Republic of"),
    "KW": _("Kuwait"), "KY": _("Cayman Islands"), "KZ": _("Kazakhstan"),
    "LA": _("Lao People's Democratic Republic"), "LB": _("Lebanon"), "LC": _("Saint Lucia"),
    "LI": _("Liechtenstein"), "LK": _("Sri Lanka"), "LR": _("Liberia"), "LS": _("Lesotho"),
    "LT": _("Lithuania"), "LU": _("Luxembourg"), "LV": _("Latvia"), "LY": _("Libya"),
    "MA": _("Morocco"), "MC": _("Monaco"), "MD": _("Moldova"), "ME": _("Montenegro"),
    "MF": _("Saint Martin (French part)"), "MG": _("Madagascar"), "MH": _("Marshall Islands"),
    "MK": _("North Macedonia"), "ML": _("Mali"), "MM": _("Myanmar"), "MN": _("Mongolia"),
    "MO": _("Macao"), "MP": _("Northern Mariana Islands"), "MQ": _("Martinique"),
    "MR": _("Mauritania"), "MS": _("Montserrat"), "MT": _("Malta"), "MU": _("Mauritius"),
    "MV": _("Maldives"), "MW": _("Malawi"), "MX": _("Mexico"), "MY": _("Malaysia"),
    "MZ": _("Mozambique"), "NA": _("Namibia"), "NC": _("New Caledonia"), "NE": _("Niger"),
    "NF": _("Norfolk Island"), "NG": _("Nigeria"), "NI": _("Nicaragua"), "NL": _("Netherlands"),
    "NO": _("Norway"), "NP": _("Nepal"), "NR": _("Nauru"), "NU": _("Niue"), "NZ": _("New Zealand"),
    "OM": _("Oman"), "PA": _("Panama"), "PE": _("Peru"), "PF": _("French Polynesia"),
    "PG": _("Papua New Guinea"), "PH": _("Philippines"), "PK": _("Pakistan"), "PL": _("Poland"),
    "PM": _("Saint Pierre and Miquelon"), "PN": _("Pitcairn"), "PR": _("Puerto Rico"),
    "PS": _("Palestine, State of"), "PT": _("Portugal"), "PW": _("Palau"), "PY": _("Paraguay"),
    "QA": _("Qatar"), "RE": _("Réunion"), "RO": _("Romania"), "RS": _("Serbia"),
    "RU": _("Russian Federation"), "RW": _("Rwanda"), "SA": _("Saudi Arabia"),
    "SB": _("Solomon Islands"), "SC": _("Seychelles"), "SD": _("Sudan"), "SE": _("Sweden"),
    "SG": _("Singapore"), "SH": _("Saint Helena, Ascension and Tristan da Cunha"),
    "SI": _("Slovenia"), "SJ": _("Svalbard and Jan Mayen"), "SK": _("Slovakia"),
    "SL": _("Sierra Leone"), "SM": _("San Marino"), "SN": _("Senegal"), "SO": _("Somalia"),
    "SR": _("Suriname"), "SS": _("South Sudan"), "ST": _("Sao Tome and Principe"),
    "SV": _("El Salvador"), "SX": _("Sint Maarten (Dutch part)"), "SY": _("Syrian Arab Republic"),
    "SZ": _("Eswatini"), "TC": _("Turks and Caicos Islands"), "TD": _("Chad"),
    "TF": _("French Southern Territories"), "TG": _("Togo"), "TH": _("Thailand"),
    "TJ": _("Tajikistan"), "TK": _("Tokelau"), "TL": _("Timor-Leste"), "TM": _("Turkmenistan"),
    "TN": _("Tunisia"), "TO": _("Tonga"), "TR": _("Türkiye"), "TT": _("Trinidad and Tobago"),
    "TV": _("Tuvalu"), "TW": _("Taiwan"), "TZ": _("Tanzania"), "UA": _("Ukraine"),
    "UG": _("Uganda"), "UM": _("United States Minor Outlying Islands"),
    "US": _("United States of America"), "UY": _("Uruguay"), "UZ": _("Uzbekistan"),
    "VA": _("Holy See"), "VC": _("Saint Vincent and the Grenadines"), "VE": _("Venezuela"),
    "VG": _("Virgin Islands (British)"), "VI": _("Virgin Islands (U.S.)"), "VN": _("Viet Nam"),
    "VU": _("Vanuatu"), "WF": _("Wallis and Futuna"), "WS": _("Samoa"), "XK": _("Kosovo"),
    "YE": _("Yemen"), "YT": _("Mayotte"), "ZA": _("South Africa"), "ZM": _("Zambia"),
    "ZW": _("Zimbabwe"),
}
# fmt: on


def _alphabetical(name: str) -> str:
    """Sort key: accents set aside and case folded, so that “Égypte” sorts among the E."""
    decomposed = unicodedata.normalize("NFKD", name)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def country_choices() -> list[tuple[str, str]]:
    """(code, name) in the active language, in the alphabetical order of that language's names.

    Call it when the choices are shown (pass the function itself as `choices`), not at import.
    """
    names = [(code, str(name)) for code, name in COUNTRIES.items()]
    return sorted(names, key=lambda item: _alphabetical(item[1]))


def validate_country(code: str) -> None:
    if code not in COUNTRIES:
        raise ValidationError(
            _("“%(code)s” is not an ISO 3166 alpha-2 country code (for example KE, SY, UA)."),
            code="unknown_country",
            params={"code": code},
        )
