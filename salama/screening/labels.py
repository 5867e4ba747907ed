"""Translatable labels of the rule tables' codes (the data files hold English only).

Generated from ``data/`` so that ``makemessages`` sees every label; a code missing here (a newer
table version) falls back to the label in its data file.
"""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

DIMENSION_TITLES: dict[str, Promise] = {
    "D1": _("Deceptive recruitment (including transfer and transport)"),
    "D2": _("Coercive recruitment"),
    "D3": _("Recruitment by abuse of vulnerability"),
    "D4": _("Exploitative conditions"),
    "D5": _("Coercion at destination"),
    "D6": _("Abuse of vulnerability at destination"),
}

INDICATOR_LABELS: dict[str, Promise] = {
    "d1_deceived_nature_of_job": _("Deceived about the nature of the job, location or employer"),
    "d1_deceived_conditions_of_work": _("Deceived about conditions of work"),
    "d1_deceived_contract": _("Deceived about content or legality of the contract"),
    "d1_deceived_family_reunification": _("Deceived about family reunification"),
    "d1_deceived_housing_living_conditions": _("Deceived about housing and living conditions"),
    "d1_deceived_legal_documentation": _(
        "Deceived about legal documentation or obtaining legal migration status"
    ),
    "d1_deceived_travel_recruitment_conditions": _(
        "Deceived about travel and recruitment conditions"
    ),
    "d1_deceived_wages_earnings": _("Deceived about wages/earnings"),
    "d1_deceived_promises_marriage_adoption": _("Promises of marriage or adoption"),
    "d1_deceived_access_to_education": _("Deceived about access to education"),
    "d2_violence_on_victims": _("Violence on victims"),
    "d2_abduction_forced_marriage_adoption_selling": _(
        "Abduction, forced marriage, forced adoption or selling of the victim"
    ),
    "d2_confiscation_of_documents": _("Confiscation of documents"),
    "d2_debt_bondage": _("Debt bondage"),
    "d2_isolation_confinement_surveillance": _("Isolation, confinement or surveillance"),
    "d2_threat_of_denunciation": _("Threat of denunciation to authorities"),
    "d2_threats_of_violence_against_victim": _("Threats of violence against the victim"),
    "d2_threats_to_inform_family_community": _("Threats to inform family, community or public"),
    "d2_violence_on_family": _("Violence on family (threats or effective)"),
    "d2_withholding_of_money": _("Withholding of money"),
    "d3_abuse_of_difficult_family_situation": _("Abuse of difficult family situation"),
    "d3_abuse_of_illegal_status": _("Abuse of illegal status"),
    "d3_abuse_of_lack_of_education": _("Abuse of lack of education (language)"),
    "d3_abuse_of_lack_of_information": _("Abuse of lack of information"),
    "d3_control_of_exploiters": _("Control of exploiters"),
    "d3_economic_reasons": _("Economic reasons"),
    "d3_false_information_law_authorities": _(
        "False information about law, attitude of authorities"
    ),
    "d3_false_information_successful_migration": _("False information about successful migration"),
    "d3_family_situation": _("Family situation"),
    "d3_personal_situation": _("Personal situation"),
    "d3_psychological_emotional_dependency": _("Psychological and emotional dependency"),
    "d3_relationship_with_authorities_legal_status": _(
        "Relationship with authorities/legal status"
    ),
    "d3_difficulties_in_the_past": _("Difficulties in the past"),
    "d3_difficulty_to_organise_travel": _("Difficulty to organise the travel"),
    "d3_abuse_of_cultural_religious_beliefs": _("Abuse of cultural/religious beliefs"),
    "d3_general_context": _("General context"),
    "d4_excessive_working_days_or_hours": _("Excessive working days or hours"),
    "d4_bad_living_conditions": _("Bad living conditions"),
    "d4_hazardous_work": _("Hazardous work"),
    "d4_low_or_no_salary": _("Low or no salary"),
    "d4_no_respect_of_labour_laws_or_contract": _("No respect of labour laws or contract signed"),
    "d4_no_social_protection": _("No social protection"),
    "d4_very_bad_working_conditions": _("Very bad working conditions"),
    "d4_wage_manipulation": _("Wage manipulation"),
    "d4_no_access_to_education": _("No access to education"),
    "d5_confiscation_of_documents": _("Confiscation of documents"),
    "d5_debt_bondage": _("Debt bondage"),
    "d5_isolation_confinement_surveillance": _("Isolation, confinement or surveillance"),
    "d5_violence_on_victims": _("Violence on victims"),
    "d5_forced_into_illicit_activities": _("Forced into illicit/criminal activities"),
    "d5_forced_tasks_or_clients": _("Forced tasks or clients"),
    "d5_forced_to_act_against_peers": _("Forced to act against peers"),
    "d5_forced_to_lie_to_authorities_family": _("Forced to lie to authorities, family"),
    "d5_threat_of_denunciation": _("Threat of denunciation to authorities"),
    "d5_threat_of_worse_working_conditions": _("Threat to impose even worse working conditions"),
    "d5_threats_of_violence_against_victim": _("Threats of violence against the victim"),
    "d5_under_strong_influence": _("Under strong influence"),
    "d5_violence_on_family": _("Violence on family (threats or effective)"),
    "d5_withholding_of_wages": _("Withholding of wages"),
    "d5_threats_to_inform_family_community": _("Threats to inform family, community or public"),
    "d6_dependency_on_exploiters": _("Dependency on exploiters"),
    "d6_difficulty_to_live_in_unknown_area": _("Difficulty to live in an unknown area"),
    "d6_economic_reasons": _("Economic reasons"),
    "d6_family_situation": _("Family situation"),
    "d6_relationship_with_authorities_legal_status": _(
        "Relationship with authorities/legal status"
    ),
    "d6_difficulties_in_the_past": _("Difficulties in the past"),
    "d6_personal_characteristics": _("Personal characteristics"),
    "d1_deceived_conditions_of_prostitution": _("Deceived about conditions of prostitution"),
}

# What a screener is told about an indicator's flag. A flag that only records a question for the
# people who maintain the tables (whether a rating matches the ILO source) is not shown to users:
# it is absent here, and a flag code without an entry shows nothing.
FLAG_NOTES: dict[str, Promise] = {
    "sexual_list_only": _("Only in the sexual-exploitation list."),
    "sexual_list_rerated": _(
        "Rated as a medium indicator: the sexual-exploitation list has no strong one here."
    ),
}

LEVEL_TITLES: dict[str, Promise] = {
    "individual": _("Individual"),
    "household": _("Household and family"),
    "community": _("Community"),
    "structural": _("Structural"),
}

FACTOR_LABELS: dict[str, Promise] = {
    "ind_age": _("Age"),
    "ind_sex": _("Sex"),
    "ind_gender_identity": _("Gender identity"),
    "ind_sexual_orientation": _("Sexual orientation"),
    "ind_ethnicity": _("Ethnicity"),
    "ind_health_disability": _("Health and disability"),
    "ind_mental_health": _("Mental health"),
    "ind_literacy_education": _("Literacy and education"),
    "ind_personal_history": _("Personal history"),
    "ind_legal_status": _("Legal status"),
    "ind_access_money_support": _("Access to money and support"),
    "ind_skills": _("Skills"),
    "hh_size_structure": _("Size and structure"),
    "hh_head_of_household": _("Head of household"),
    "hh_socioeconomic_status": _("Socioeconomic status"),
    "hh_livelihoods": _("Livelihoods"),
    "hh_migration_history": _("Migration history"),
    "hh_dynamics": _("Dynamics"),
    "hh_violence_in_family": _("Violence in the family"),
    "hh_care_dependants": _("Care of children, elderly or disabled members"),
    "com_access_services": _("Access to services and law enforcement"),
    "com_social_norms": _("Social norms"),
    "com_discrimination": _("Discrimination"),
    "com_local_economy": _("Local economy"),
    "com_social_networks": _("Social networks"),
    "com_environmental_hazards": _("Environmental hazards"),
    "com_organised_crime": _("Organised crime"),
    "str_governance_rule_of_law": _("Governance and rule of law"),
    "str_conflict": _("Conflict"),
    "str_migration_labour_policy": _("Migration and labour policy"),
    "str_discrimination_in_law": _("Discrimination in law"),
    "str_economic_conditions": _("Economic conditions"),
    "str_climate_disasters": _("Climate and disasters"),
}

FACTOR_FRAMINGS: dict[str, Promise] = {
    "ind_age:risk": _(
        "Age limits the capacity to resist or cope (for example a child or an older person)"
    ),
    "ind_age:protective": _("Age supports the capacity to resist and cope"),
    "ind_sex:risk": _("Sex exposes the person to targeted harm or discrimination in this context"),
    "ind_gender_identity:risk": _(
        "Gender identity exposes the person to targeted harm or discrimination in this context"
    ),
    "ind_sexual_orientation:risk": _(
        "Sexual orientation exposes the person to targeted harm or discrimination in this context"
    ),
    "ind_ethnicity:risk": _(
        "Ethnicity exposes the person to targeted harm or discrimination in this context"
    ),
    "ind_health_disability:risk": _("Ill health or disability without adequate support"),
    "ind_health_disability:protective": _("Good physical health"),
    "ind_mental_health:risk": _("Mental health condition or psychological distress"),
    "ind_mental_health:protective": _("Good mental health and psychosocial well-being"),
    "ind_literacy_education:risk": _(
        "Low literacy or education, or does not speak the local language"
    ),
    "ind_literacy_education:protective": _("Literate and educated, speaks the local language"),
    "ind_personal_history:risk": _("History of violence, exploitation, abuse or trauma"),
    "ind_personal_history:protective": _(
        "Past experience that strengthens coping (for example earlier safe migration)"
    ),
    "ind_legal_status:risk": _("Irregular or precarious legal status, or no identity documents"),
    "ind_legal_status:protective": _("Regular legal status and valid identity documents"),
    "ind_access_money_support:risk": _("No access to money, resources or support"),
    "ind_access_money_support:protective": _("Access to money, resources and support"),
    "ind_skills:risk": _("Few marketable or life skills"),
    "ind_skills:protective": _("Marketable and life skills"),
    "hh_size_structure:risk": _(
        "Household size or structure strains care or resources (for example separated family)"
    ),
    "hh_size_structure:protective": _("Household size and structure provide care and support"),
    "hh_head_of_household:risk": _(
        "Child-headed or single-headed household, or the person is the sole provider"
    ),
    "hh_head_of_household:protective": _("Stable adult head of household"),
    "hh_socioeconomic_status:risk": _("Poverty or low socioeconomic status"),
    "hh_socioeconomic_status:protective": _("Adequate socioeconomic status"),
    "hh_livelihoods:risk": _("Insecure or no livelihood"),
    "hh_livelihoods:protective": _("Secure livelihood"),
    "hh_migration_history:risk": _("Family history of, or pressure towards, unsafe migration"),
    "hh_migration_history:protective": _(
        "Family experience of safe migration or support from relatives abroad"
    ),
    "hh_dynamics:risk": _(
        "Harmful family dynamics (conflict, neglect, control, discrimination within the family)"
    ),
    "hh_dynamics:protective": _("Supportive family relationships"),
    "hh_violence_in_family:risk": _("Violence in the family"),
    "hh_care_dependants:risk": _(
        "Care responsibilities for children, elderly or disabled members that cannot be met"
    ),
    "com_access_services:risk": _("No access to services or to law enforcement"),
    "com_access_services:protective": _("Access to services and to responsive law enforcement"),
    "com_social_norms:risk": _(
        "Harmful social norms (for example tolerance of child labour or gender-based violence)"
    ),
    "com_social_norms:protective": _("Protective social norms"),
    "com_discrimination:risk": _("Discrimination or xenophobia in the community"),
    "com_local_economy:risk": _("Weak local economy with few decent jobs"),
    "com_local_economy:protective": _("Local economy offering decent work"),
    "com_social_networks:risk": _("No social network, or networks linked to exploiters"),
    "com_social_networks:protective": _("Supportive social networks"),
    "com_environmental_hazards:risk": _("Exposure to environmental hazards"),
    "com_organised_crime:risk": _("Presence of organised crime, trafficking or smuggling networks"),
    "str_governance_rule_of_law:risk": _("Weak governance, corruption or weak rule of law"),
    "str_governance_rule_of_law:protective": _("Effective governance and rule of law"),
    "str_conflict:risk": _("Armed conflict or generalised violence"),
    "str_migration_labour_policy:risk": _(
        "Migration and labour policies that close regular channels or tie workers to employers"
    ),
    "str_migration_labour_policy:protective": _(
        "Migration and labour policies that open regular channels and protect workers"
    ),
    "str_discrimination_in_law:risk": _("Discrimination in law or policy"),
    "str_economic_conditions:risk": _("Poverty, inequality or economic crisis"),
    "str_economic_conditions:protective": _("Stable and inclusive economic conditions"),
    "str_climate_disasters:risk": _("Climate change effects or disasters"),
}

RESPONSE_LABELS: dict[str, Promise] = {
    "safe_accommodation": _("Safe accommodation"),
    "health_care": _("Health care"),
    "documentation": _("Documentation"),
    "legal_consular_assistance": _("Legal or consular assistance"),
    "education_skills": _("Education and skills"),
    "family_tracing_assessment": _("Family tracing and assessment"),
    "best_interests_determination": _("Best-interests determination (children)"),
    "family_reunification": _("Family reunification"),
    "livelihood": _("Livelihood"),
    "community_programming": _("Community programming"),
    "structural_programming": _("Structural programming"),
}

# HTCDS vic_TraffickingStatusDecisionMakingOrg: the kinds of competent authority.
AUTHORITY_TYPE_LABELS: dict[str, Promise] = {
    "Police": _("Police"),
    "NGO": _("NGO"),
    "CourtOrProsecution": _("Court or prosecution"),
    "NonPoliceGovernmentalOrganization": _("Non-police government body"),
    "Other": _("Other"),
}


def authority_types(value_set: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """The value set's ``(code, label)`` pairs with translated labels where known."""
    return [(code, str(AUTHORITY_TYPE_LABELS.get(code, label))) for code, label in value_set]
