/* worker_check.h - the front's check of a worker's mail result against its
 * own report (see worker_check.c for what can and cannot be checked). */
#pragma once
#include <glib.h>

#include "common/verdict.h"

#define MG_WORKER_CHECK_ERROR (mg_worker_check_error_quark ())
GQuark mg_worker_check_error_quark (void);
typedef enum {
  MG_WORKER_CHECK_ERROR_REFUSED, /* the result disagrees with itself: withhold */
} MgWorkerCheckError;

/* TRUE when OUTPUT is marked VERDICT and ID, REPORT_JSON is one object with
 * that id, and OUTPUT carries no part the report says was removed or
 * withheld and no attachment the report does not list as kept or converted
 * (none at all when withheld). FALSE with ERROR saying what is off. */
gboolean mg_worker_check_mail (const char *id, MgVerdict verdict, const char *report_json,
                               GBytes *output, GError **error);
