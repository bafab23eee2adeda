"""Lifecycle email: the welcome sequences, the weekly digest and newsletters, sent on the
product's own initiative, only to those who may be emailed, once each (the sent log)."""
