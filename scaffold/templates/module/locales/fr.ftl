@NAME@-in-short = En bref :
@NAME@-valid-until = Valable jusqu’au
