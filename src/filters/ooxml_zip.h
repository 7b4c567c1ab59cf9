/* ooxml_zip.h - the zip of an OOXML package, read and written in memory
 * (ooxml_zip.c), and the names of its parts. Part of the OOXML filter: other
 * modules use ooxml.h.
 */
#pragma once
#include <glib.h>

#include "common/filter.h"

/* [office] limits, read from the configuration once per document. */
typedef struct {
  gint64 max_parts;         /* zip entries */
  gint64 max_part_size;     /* bytes of one entry, unpacked */
  gint64 max_unpacked_size; /* bytes of all entries, unpacked */
  gint64 max_ratio;         /* unpacked bytes per packed byte, beyond 1 MiB */
} MgOoxmlLimits;

/* One zip entry. */
typedef struct {
  char *name; /* as stored, without a leading '/' (OPC's URI form) */
  char *key;  /* percent-decoded and lower-case: OPC's comparison */
  GBytes *data;
} MgOoxmlPart;

typedef struct {
  GPtrArray *parts;   /* MgOoxmlPart *, in zip order */
  GHashTable *by_key; /* key -> MgOoxmlPart * (borrowed), NULL for a damaged one */
  GPtrArray *damaged; /* keys of the parts left out: their checksum is wrong */
} MgOoxmlPackage;

/* Read the zip INPUT within LIMITS. NULL for bad input, with RESULT filled
 * (removed or withheld, reason, detail). Free with mg_ooxml_package_free. */
MgOoxmlPackage *mg_ooxml_zip_read (GBytes *input, const MgOoxmlLimits *limits,
                                   MgFilterResult *result);
void mg_ooxml_package_free (MgOoxmlPackage *package);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (MgOoxmlPackage, mg_ooxml_package_free)
/* The OPC comparison key of a part name or resolved target, or NULL when it
 * does not decode (a bad or NUL escape, an encoded slash or backslash, a
 * "." or ".." segment). */
char *mg_ooxml_part_key (const char *name);
/* A new zip (deflate) of NAMES[i] -> DATA[i], in that order; NULL with ERROR. */
GBytes *mg_ooxml_zip_write (GPtrArray *names, GPtrArray *data, GError **error);
