"""Published rules for direct assistance (docs/domain.md#direct-assistance, after the IOM Global Assistance Fund).

Plain values in, plain values out: no Django. The services call these and translate the codes
they return into messages.

- Money is a `Decimal` with two decimal places in an ISO 4217 currency.
- A fund's available balance is deposits − commitments − disbursements and never goes below zero.
- Every item that draws on a fund is approved by someone who may approve assistance. Above the
  fund's approval threshold a second person approves: the approver is never the requester. At or
  below the threshold an approver may approve their own request.
- A fund of last resort is used only after national and regional alternatives were checked.
- A fund is running low when its available balance is at most a tenth of its deposits.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

CENT = Decimal("0.01")
MAX_AMOUNT = Decimal("999999999999.99")  # DecimalField(max_digits=14, decimal_places=2)

# Common ISO 4217 codes in the regions Salama serves (code → English name).
CURRENCIES: dict[str, str] = {
    "AED": "UAE dirham",
    "AFN": "Afghan afghani",
    "BDT": "Bangladeshi taka",
    "CAD": "Canadian dollar",
    "CHF": "Swiss franc",
    "DJF": "Djiboutian franc",
    "DZD": "Algerian dinar",
    "EGP": "Egyptian pound",
    "ERN": "Eritrean nakfa",
    "ETB": "Ethiopian birr",
    "EUR": "Euro",
    "GBP": "Pound sterling",
    "GHS": "Ghanaian cedi",
    "GNF": "Guinean franc",
    "IQD": "Iraqi dinar",
    "JOD": "Jordanian dinar",
    "KES": "Kenyan shilling",
    "LBP": "Lebanese pound",
    "LYD": "Libyan dinar",
    "MAD": "Moroccan dirham",
    "MXN": "Mexican peso",
    "NGN": "Nigerian naira",
    "NPR": "Nepalese rupee",
    "PHP": "Philippine peso",
    "PKR": "Pakistani rupee",
    "QAR": "Qatari riyal",
    "RWF": "Rwandan franc",
    "SAR": "Saudi riyal",
    "SDG": "Sudanese pound",
    "SOS": "Somali shilling",
    "SYP": "Syrian pound",
    "TND": "Tunisian dinar",
    "TRY": "Turkish lira",
    "TZS": "Tanzanian shilling",
    "UAH": "Ukrainian hryvnia",
    "UGX": "Ugandan shilling",
    "USD": "US dollar",
    "XAF": "CFA franc (Central Africa)",
    "XOF": "CFA franc (West Africa)",
    "YER": "Yemeni rial",
    "ZAR": "South African rand",
}


def normalise_currency(code: str | None) -> str | None:
    """The upper-case ISO 4217 code, or None when it is not one of CURRENCIES."""
    cleaned = (code or "").strip().upper()
    return cleaned if cleaned in CURRENCIES else None


def to_money(value: object) -> Decimal | None:
    """A value as a Decimal rounded to cents, or None when it is not a finite number."""
    try:
        amount = value if isinstance(value, Decimal) else Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        return None
    if not amount.is_finite():
        return None
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


def item_amount(quantity: Decimal, unit_cost: Decimal) -> Decimal:
    """The amount of an item: quantity × unit cost, rounded half up to cents."""
    return (quantity * unit_cost).quantize(CENT, rounding=ROUND_HALF_UP)


def available(deposited: Decimal, committed: Decimal, disbursed: Decimal) -> Decimal:
    return deposited - committed - disbursed


# A fund is running low once what is left to commit is a tenth of what was ever put in, or less
# (an active fund with nothing deposited is empty, so low too). Project rule: it gives the fund's
# managers time to top it up before requests are refused for want of money.
LOW_BALANCE_SHARE = Decimal("0.10")


def is_low_balance(available_now: Decimal, deposited: Decimal) -> bool:
    return available_now <= deposited * LOW_BALANCE_SHARE


def can_commit(amount: Decimal, available_now: Decimal) -> bool:
    """A commitment never takes the available balance below zero."""
    return Decimal(0) <= amount <= available_now


def needs_second_person(amount: Decimal, threshold: Decimal | None) -> bool:
    """Above the threshold the approver must differ from the requester (no fund: no threshold)."""
    return threshold is not None and amount > threshold


def approval_refusal(
    *,
    amount: Decimal,
    threshold: Decimal | None,
    requester_id: object,
    approver_id: object,
    approver_may_approve: bool,
) -> str | None:
    """Why this approver may not approve this item ("no_permission", "own_request"), or None."""
    if not approver_may_approve:
        return "no_permission"
    if needs_second_person(amount, threshold) and requester_id == approver_id:
        return "own_request"
    return None


def alternatives_refusal(
    *, last_resort: bool, alternatives_checked: bool | None, alternatives_note: str
) -> str | None:
    """Why a last-resort request is refused ("unanswered", "not_checked", "which"), or None."""
    if not last_resort:
        return None
    if alternatives_checked is None:
        return "unanswered"
    if alternatives_checked is False:
        return "not_checked"
    if not alternatives_note.strip():
        return "which"
    return None
