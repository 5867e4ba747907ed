"""Salama: case management, referral and evidence for migrant protection."""
