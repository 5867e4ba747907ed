"""The evidence base: dashboards, indicators, exports and anonymised releases. It only reads the
domain apps; no app imports it."""
