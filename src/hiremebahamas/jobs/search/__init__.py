"""Job search: the query on either engine, its filters and keyset pages, reading it from a page."""
