@NAME@-in-short = In short:
@NAME@-valid-until = Valid until
