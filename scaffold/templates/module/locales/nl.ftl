@NAME@-in-short = Kort gezegd:
@NAME@-valid-until = Geldig tot
