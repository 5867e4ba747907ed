"""Encrypted backups of the data database, the attachments and the audit anchors."""
