/* embedded.h - cut uuencode, yEnc and BinHex blocks out of a text.
 *
 * Old mail clients and attackers alike put files inside a text body. A block
 * is removed from the text and handed back decoded, to be scanned, classified
 * and filtered like any attachment; the text never carries it on.
 */
#pragma once
#include <glib.h>

typedef struct {
  char *kind;        /* "uuencode", "yenc" or "binhex" */
  char *filename;    /* name from the block header (UTF-8, may be NULL) */
  GBytes *data;      /* decoded bytes; NULL when the block did not decode */
} MgEmbeddedBlock;

/* Remove every block from TEXT (UTF-8). Returns the remaining text (owned);
 * appends one MgEmbeddedBlock * per block to BLOCKS (which must have been
 * created with mg_embedded_block_free as its free function). */
char *mg_embedded_extract (const char *text, GPtrArray *blocks);
void mg_embedded_block_free (MgEmbeddedBlock *block);
