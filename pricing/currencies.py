"""ISO 4217 currency codes in use (the list of the ISO 4217 maintenance agency), fixed in the code.

A currency field holds one of these: a CHECK constraint of every table with a
currency, the model field's validator, the services and the API serializers all
use :data:`CURRENCIES`. Add a code here (and make a migration) when ISO adds one.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

_CODES = """
    AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB BOV BRL BSD BTN BWP
    BYN BZD CAD CDF CHE CHF CHW CLF CLP CNY COP COU CRC CUC CUP CVE CZK DJF DKK DOP DZD EGP ERN ETB
    EUR FJD FKP GBP GEL GHS GIP GMD GNF GTQ GYD HKD HNL HTG HUF IDR ILS INR IQD IRR ISK JMD JOD JPY
    KES KGS KHR KMF KPW KRW KWD KYD KZT LAK LBP LKR LRD LSL LYD MAD MDL MGA MKD MMK MNT MOP MRU MUR
    MVR MWK MXN MXV MYR MZN NAD NGN NIO NOK NPR NZD OMR PAB PEN PGK PHP PKR PLN PYG QAR RON RSD RUB
    RWF SAR SBD SCR SDG SEK SGD SHP SLE SLL SOS SRD SSP STN SVC SYP SZL THB TJS TMT TND TOP TRY TTD
    TWD TZS UAH UGX USD USN UYI UYU UYW UZS VED VES VND VUV WST XAF XCD XCG XOF XPF YER ZAR ZMW ZWG
    ZWL
"""
CURRENCIES = frozenset(_CODES.split())

CURRENCY_REFUSED = _("A currency is an ISO 4217 code in use, e.g. CNY.")


def is_currency(value: object) -> bool:
    return isinstance(value, str) and value in CURRENCIES


def validate_currency(value: str) -> None:
    """Field validator: an ISO 4217 code in use."""
    if not is_currency(value):
        raise ValidationError(CURRENCY_REFUSED, code="currency")
