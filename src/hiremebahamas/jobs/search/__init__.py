"""Job search: the query on either engine, its filters and pages, the search page and API."""
