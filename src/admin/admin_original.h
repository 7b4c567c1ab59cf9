/* admin_original.h - the forward of an unsanitised original.
 *
 * The one path by which original bytes leave: only to [release]
 * original_forward_address (which must be in the allowed domains), only
 * through the separate listener [release] original_smtp, never for a virus
 * unless [release] allow_virus_original = yes, never to a file. The original
 * travels as an opaque attachment of a new message whose X-Mugai-Original
 * header and first text/plain part say, in Japanese, that it is not sanitised;
 * it is never parsed here.
 */
#pragma once
#include <glib.h>

#include "common/config.h"
#include "quarantine/quarantine_item.h"

/* TRUE when the original of ITEM may be forwarded under CONFIG; else FALSE
 * with MG_QUARANTINE_ERROR_POLICY saying why (Japanese and English). TO_FILE:
 * the caller wants it written to a file (always refused). */
gboolean mg_admin_original_allowed (const MgConfig *config, const MgQuarantineItem *item,
                                    gboolean to_file, GError **error);

/* The message that carries ORIGINAL (as a base64 attachment) to the forward
 * address, marked as unsanitised. */
GBytes *mg_admin_original_wrap (const MgConfig *config, const MgQuarantineItem *item,
                                GBytes *original);
