/* store.h - the quarantine as the pipeline sees it: mg_quarantine_store_put.
 *
 * Kept so that pipeline.c's include stays as it is; the store itself is
 * declared in quarantine_store.h.
 */
#pragma once
#include "quarantine/quarantine_store.h"
