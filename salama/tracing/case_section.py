def register_section() -> None:
    pass
