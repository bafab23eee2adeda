"""Growth and revenue analytics: the event log, the daily rollup and the operator's figures."""
