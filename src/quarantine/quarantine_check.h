/* quarantine_check.h - verify the store: every item whole, nothing half.
 *
 * For `mugai quarantine check` (and the crash tests): each item's objects
 * exist, decompress and match their hash; objects no item refers to and
 * staging files (left by a crash, removed by purge) are counted, not errors.
 * Reads only.
 */
#pragma once
#include <glib.h>

#include "quarantine/quarantine_store.h"

typedef struct {
  guint items;         /* rows checked */
  guint unreferenced;  /* objects no item refers to */
  guint staging;       /* files in tmp/ */
  GPtrArray *problems; /* char *: one line per damaged item */
} MgQuarantineCheck;

void mg_quarantine_check_clear (MgQuarantineCheck *check);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (MgQuarantineCheck, mg_quarantine_check_clear)

/* Fill CHECK. FALSE with ERROR only when the index cannot be read; damage is
 * reported in CHECK->problems. */
gboolean mg_quarantine_check_run (MgQuarantineStore *store, MgQuarantineCheck *check,
                                  GError **error);
