/* office_batch.h - several files in one byte string, for one LibreOffice run.
 *
 * The converter interface (MgFilterConvert) carries one input and one output.
 * The EMF/WMF pictures of a document travel to it together, so that
 * LibreOffice starts once for all of them, not once each: the batch is a
 * sequence of items, each a 4-byte big-endian length and that many bytes.
 * A batch of pictures holds two items per picture (its extension, its data);
 * the answer one per picture (the PNG, empty when there is none). The
 * converter reads a batch a sandboxed worker wrote: every length is checked
 * against what is left and at most MAX_ITEMS are read.
 */
#pragma once
#include <glib.h>

/* The source extension that names a batch of EMF/WMF pictures to draw to
 * PNG (mg_office_legacy_run). */
#define MG_OFFICE_BATCH_METAFILES "metafiles"

/* ITEMS (GBytes *) as one batch. */
GBytes *mg_office_batch_pack (GPtrArray *items);

/* The items of BATCH (GBytes *, slices of it), or NULL when it is not a
 * batch of at most MAX_ITEMS items. */
GPtrArray *mg_office_batch_unpack (GBytes *batch, guint max_items);
