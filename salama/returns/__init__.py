"""Assisted voluntary return and reintegration: the return journey on a case, reception by an
organisation in the country of origin, reintegration plans and scored monitoring visits."""
