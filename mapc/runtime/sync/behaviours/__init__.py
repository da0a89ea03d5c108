"""The connector's named behaviours (R1, R5-R10), and every CRM object and field name the
engine knows: the rest of mapc/runtime/sync is generic over any pair of objects."""
