"""The editors' desk: who may do what, status changes with their records, corrections, revisions and
their comparison, preview links, who is editing, and the desk's forms and admin."""
