"""The value sets of the exploitation record: HTCDS codes with labels in the reader's language.

Which codes exist, and in which order, comes from ``salama.core.htcds`` (the transcription of the
standard in core/data/htcds-2.0.json); this module only gives each code a translatable label, so
that a page never shows a raw code. A code of the standard without a label here falls back to
the standard's English label; a label for a code the standard lacks is never offered (tests check
both ways).

HTCDS names three fields the record needs whose value names could not be read (they are only in
the binary 2.0 workbook, see core/data ``not_available``): the relationship to the trafficker, a
perpetrator's sex and age. For those the closest published list stands in, under a name in the
standard's style, and docs/domain.md#exploitation-record says so:

- ``vic_RelationshipToTrafficker``: the recruiter relations of the CTDC global dataset
  (recruiterRelationIntimatePartner, …Friend, …Family, …Other, …Unknown);
- ``prs_Sex``: the registry's own sex values (``salama.people.choices.Sex``);
- ``per_AgeBand``: CTDC's age bands (``salama.people.choices.AGE_BANDS``).
"""

from __future__ import annotations

from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from salama.core import htcds
from salama.people.choices import AGE_BANDS, Sex

# Value sets the record uses, by the HTCDS field that takes them.
TYPE_OF_EXPLOITATION = "vic_TypeOfExploitation"
TYPE_OF_SEX_EXPLOITATION = "vic_TypeOfSexExploitation"
FORCED_LABOUR_INDUSTRY = "vic_ForcedLabourIndustry"
METHODS_OF_CONTROL = "vic_MethodsOfControl"
METHOD_OF_RECRUITMENT = "vic_MethodOfRecruitment"
RECRUITMENT_WEBSITES = "vic_RecruitmentWebsitesAndApps"
EXPLOITATION_WEBSITES = "vic_ExploitationWebsitesAndApps"
EVENT_TYPE = "hte_Type"
ROLE_IN_PROCESS = "per_RoleInProcess"
# Stand-ins (see the module's docstring).
RELATIONSHIP_TO_TRAFFICKER = "vic_RelationshipToTrafficker"
SEX = "prs_Sex"
AGE_BAND = "per_AgeBand"

_OTHER = _("Other")
_APPS: dict[str, Promise | str] = {"FacebookMessenger": "Facebook Messenger", "Other": _OTHER}

LABELS: dict[str, dict[str, Any]] = {
    TYPE_OF_EXPLOITATION: {
        "ForcedLabour": _("Forced labour"),
        "SexualExploitation": _("Sexual exploitation"),
        "ChildLabour": _("Child labour"),
        "ForcedMarriage": _("Forced marriage"),
        "Servitude": _("Servitude (including domestic servitude)"),
        "ForcedMilitaryByNonStateActors": _("Forced military service (by non-state actors)"),
        "OrganRemoval": _("Organ removal"),
        "ForcedBegging": _("Forced begging"),
        "ForcedAdoption": _("Forced adoption"),
        "Surrogacy": _("Exploitative surrogacy"),
        "Other": _OTHER,
    },
    TYPE_OF_SEX_EXPLOITATION: {
        "Prostitution": _("Prostitution"),
        "Pornography": _("Pornography"),
        "RemoteInteractiveServices": _("Remote interactive services (webcam, chat)"),
        "PrivateSexualServices": _("Private sexual services"),
    },
    FORCED_LABOUR_INDUSTRY: {
        "A_AgricultureForestryAndFishing": _("Agriculture, forestry and fishing"),
        "B_MiningAndQuarrying": _("Mining and quarrying"),
        "C_Manufacturing": _("Manufacturing"),
        "D_ElectricityGasSteamAndAirConditioningSupply": _(
            "Electricity, gas, steam and air conditioning"
        ),
        "E_WaterSupplySewerageWasteManagement": _("Water supply, sewerage and waste management"),
        "F_Construction": _("Construction"),
        "G_WholesaleAndRetailTradeRepairOfMotorVehicles": _(
            "Wholesale and retail trade; repair of vehicles"
        ),
        "H_TransportationAndStorage": _("Transport and storage"),
        "I_AccommodationAndFoodServiceActivities": _("Hotels, restaurants and food services"),
        "J_InformationAndCommunication": _("Information and communication"),
        "K_FinancialAndInsuranceActivities": _("Finance and insurance"),
        "L_RealEstateActivities": _("Real estate"),
        "M_ProfessionalScientificAndTechnicalActivities": _(
            "Professional, scientific and technical work"
        ),
        "N_AdministrativeAndSupportServiceActivities": _(
            "Administrative and support services (cleaning, security, agencies)"
        ),
        "O_PublicAdministrationAndDefence": _("Public administration and defence"),
        "P_Education": _("Education"),
        "Q_HumanHealthAndSocialWorkActivities": _("Health and social work"),
        "R_ArtsEntertainmentAndRecreation": _("Arts, entertainment and recreation"),
        "S_OtherServiceActivities": _("Other services"),
        "T_ActivitiesOfHouseholdsAsEmployers": _("Private households as employers (domestic work)"),
        "U_ActivitiesOfExtraterritorialOrganizations": _("Extraterritorial organisations"),
    },
    METHODS_OF_CONTROL: {
        "PhysicalThreats": _("Threats of violence"),
        "ThreatsLawEnforcement": _("Threats of police or deportation"),
        "ThreatensChildrenFamily": _("Threats against children or family"),
        "DebtBondage": _("Debt bondage"),
        "FalsePromises": _("False promises"),
        "PhysicalAbuse": _("Physical abuse"),
        "SexualAbuse": _("Sexual abuse"),
        "TakesEarnings": _("Takes earnings"),
        "RestrictsFinancialAccess": _("Restricts access to money"),
        "RestrictsMedicalCare": _("Restricts medical care"),
        "WithholdsNecessities": _("Withholds food, sleep or other necessities"),
        "PsychologicalAbuse": _("Psychological abuse"),
        "PsychoactiveSubstance": _("Alcohol or drugs"),
        "ExcessiveWorkingHours": _("Excessive working hours"),
        "WithholdsDocuments": _("Withholds identity or travel documents"),
        "Other": _OTHER,
    },
    METHOD_OF_RECRUITMENT: {
        "AtAPlaceOfBusiness": _("At a place of business"),
        "AtAnEducationalInstitution": _("At a school or university"),
        "AtWork": _("At work"),
        "ThroughOnlineSocialNetworks": _("Through online social networks"),
        "ThroughAnOnlineAdvertisement": _("Through an online advertisement"),
        "ThroughATelevisionAdvert": _("Through a television advertisement"),
        "ThroughANewspaperAdvert": _("Through a newspaper advertisement"),
        "ThroughFamilyOrFamilyEvents": _("Through family or family events"),
        "ThroughFriendsOrSocialEvents": _("Through friends or social events"),
        "Other": _OTHER,
    },
    RECRUITMENT_WEBSITES: _APPS,
    EXPLOITATION_WEBSITES: _APPS,
    EVENT_TYPE: {
        "Recruitment": _("Recruitment"),
        "Transit": _("Transit"),
        "Exploitation": _("Exploitation"),
    },
    ROLE_IN_PROCESS: {
        "TravellingPartner": _("Travelled with the person"),
        "Transporter": _("Transported the person"),
        "RecruiterOrIntermediary": _("Recruiter or intermediary"),
        "BrokerTravelAgent": _("Broker or travel agent"),
        "TransferredIndividual": _("Transferred the person"),
        "HarbouredIndividual": _("Harboured (housed or hid) the person"),
        "SoldIndividual": _("Sold the person"),
        "BoughtIndividual": _("Bought the person"),
        "ReceivedIndividual": _("Received the person"),
        "ControlledIndividual": _("Controlled the person"),
        "Smuggler": _("Smuggler"),
        "Abuser": _("Abuser"),
        "Kidnapper": _("Kidnapper"),
        "Exploiter": _("Exploiter (employer, pimp)"),
        "Other": _OTHER,
    },
}

# The stand-ins' codes and labels, in their sources' order.
STAND_INS: dict[str, list[tuple[str, Any]]] = {
    RELATIONSHIP_TO_TRAFFICKER: [
        ("IntimatePartner", _("Intimate partner")),
        ("Friend", _("Friend")),
        ("Family", _("Family member or relative")),
        ("Other", _("Someone else (acquaintance, stranger)")),
        ("Unknown", _("Not known")),
    ],
    SEX: list(Sex.choices),
    AGE_BAND: [(label, label) for _low, _high, label in AGE_BANDS],
}


def choices(name: str) -> list[tuple[str, Any]]:
    """``(code, label)`` pairs of one value set, in the standard's order; usable as ``choices``."""
    if name in STAND_INS:
        return list(STAND_INS[name])
    labels = LABELS.get(name, {})
    return [(code, labels.get(code, label)) for code, label in htcds.value_set(name)]


def codes(name: str) -> tuple[str, ...]:
    """The codes of one value set, in order."""
    return tuple(code for code, _label in choices(name))


def label(name: str, code: str) -> str:
    """The label of one code in the reader's language (the code itself when unknown)."""
    return str(dict(choices(name)).get(code, code))


def labels_of(name: str, values: list[str]) -> list[str]:
    """Labels of several codes, in the order given."""
    known = dict(choices(name))
    return [str(known.get(code, code)) for code in values]
