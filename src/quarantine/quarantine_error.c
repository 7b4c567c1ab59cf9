/* quarantine_error.c - the quarantine's error domain (see quarantine_error.h). */
#include "quarantine/quarantine_error.h"

/* G_DEFINE_QUARK makes a string of its first argument: */
/* clang-format off */
G_DEFINE_QUARK (mg-quarantine-error-quark, mg_quarantine_error)
/* clang-format on */
