@NAME@-in-short = Kurz gesagt:
@NAME@-valid-until = Gültig bis
