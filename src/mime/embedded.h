/* embedded.h - cut uuencode, yEnc and BinHex blocks, and base64 runs, out of
 * a text.
 *
 * Old mail clients and attackers alike put files inside a text body. A block
 * is removed from the text and handed back decoded, to be scanned, classified
 * and filtered like any attachment; the text never carries it on.
 *
 * Base64 is also ordinary text (PGP signatures, keys, certificates, hashes),
 * so a base64 run (MG_EMBEDDED_B64_MIN characters or more on lines of at
 * least MG_EMBEDDED_B64_LINE_MIN, or a PEM-style "-----BEGIN" block) is
 * decoded and shown to the caller, which says whether it may stay as text.
 */
#pragma once
#include <glib.h>

#define MG_EMBEDDED_B64_MIN 128     /* base64 characters of a run (96 bytes) */
#define MG_EMBEDDED_B64_LINE_MIN 40 /* characters of a run's first line */
#define MG_EMBEDDED_B64_RUNS 64     /* runs decoded per text; later ones are cut */

typedef struct {
  char *kind;     /* "uuencode", "yenc", "binhex" or "base64" */
  char *filename; /* name from the block header (UTF-8, may be NULL) */
  GBytes *data;   /* decoded bytes; NULL when the block did not decode */
} MgEmbeddedBlock;

/* Remove every block from TEXT (UTF-8). Returns the remaining text (owned);
 * appends one MgEmbeddedBlock * per block to BLOCKS (which must have been
 * created with mg_embedded_block_free as its free function). */
char *mg_embedded_extract (const char *text, GPtrArray *blocks);
void mg_embedded_block_free (MgEmbeddedBlock *block);

/* TRUE when DECODED (a base64 run's bytes) may stay in the text as base64. */
typedef gboolean (*MgEmbeddedInert) (GBytes *decoded, gpointer ctx);
/* As mg_embedded_extract, and base64 runs as well: each run INERT does not
 * accept (and every run past MG_EMBEDDED_B64_RUNS, undecoded) is cut out as a
 * block of kind "base64" without a name; the others stay in the text. */
char *mg_embedded_extract_base64 (const char *text, GPtrArray *blocks, MgEmbeddedInert inert,
                                  gpointer ctx);
