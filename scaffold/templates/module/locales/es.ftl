@NAME@-in-short = En resumen:
@NAME@-valid-until = Válido hasta
