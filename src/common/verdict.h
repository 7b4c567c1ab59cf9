/* verdict.h - the words mugai uses for what happened to a message or a part.
 *
 * A verdict is the fate of a whole message; an action the fate of one part; a
 * reason says why, in words a user can read (English in the report, the notice
 * language in the notice). Reasons are codes so that both languages come from
 * the catalogue (msg.h) and the notice never shows untranslated text.
 */
#pragma once
#include <glib.h>

#include "common/msg.h"

typedef enum {
  MG_VERDICT_SANITISED,
  MG_VERDICT_WITHHELD,
  MG_VERDICT_TEMPFAIL,
} MgVerdict;

typedef enum {
  MG_ACTION_KEPT,
  MG_ACTION_CONVERTED,
  MG_ACTION_REMOVED,
  MG_ACTION_WITHHELD,
} MgAction;

typedef enum {
  MG_REASON_NONE,
  MG_REASON_TEXT_REENCODED,    /* text re-encoded to UTF-8 */
  MG_REASON_HTML_TO_TEXT,      /* HTML turned into text */
  MG_REASON_TYPE_NOT_ALLOWED,  /* detected type is not on the allow-list */
  MG_REASON_NO_CONVERTER,      /* a converter for this type is not installed yet */
  MG_REASON_SCRIPT_NAME,       /* text whose name is a script or executable */
  MG_REASON_VIRUS,             /* libclamav found a virus */
  MG_REASON_AMBIGUOUS,         /* mail clients could read the structure differently */
  MG_REASON_LIMIT,             /* a named limit was reached */
  MG_REASON_BAD_ENCODING,      /* transfer encoding unknown or undecodable */
  MG_REASON_ENCRYPTED,         /* encrypted content cannot be inspected */
  MG_REASON_PARTIAL,           /* message/partial cannot be reassembled safely */
  MG_REASON_EXTERNAL_BODY,     /* message/external-body points elsewhere */
  MG_REASON_CONVERT_FAILED,    /* a converter failed on this part */
  MG_REASON_EMBEDDED_ENCODED,  /* uuencode/yEnc/BinHex block cut out of a text */
  MG_REASON_FLATTENED,         /* attached message flattened into the body */
  MG_REASON_SIGNATURE_DROPPED, /* S/MIME or PGP signature dropped */
  MG_REASON_ARCHIVE_REPACKED,  /* archive members sanitised and repacked as ZIP */
  MG_REASON_ARCHIVE_EMPTY,     /* no member of an archive could pass */
  MG_REASON_UNSAFE_NAME,       /* a name that escapes its folder (../, /abs, C:) */
  MG_REASON_NOT_REGULAR,       /* a link, device or other non-regular file */
  MG_REASON_PDF_REBUILT,       /* PDF rebuilt from the drawing of its pages */
  MG_REASON_IMAGE_REENCODED,   /* image re-encoded (pixels, or JPEG coefficients) */
  MG_REASON_MACROS_REMOVED,    /* Office document rebuilt without its macros */
  MG_REASON_OFFICE_ACTIVE,     /* Office document rebuilt without objects, links, fields */
  MG_REASON_OFFICE_REBUILT,    /* Office document rebuilt from its safe parts */
  MG_REASON_OFFICE_CONVERTED,  /* legacy Office, RTF or ODF converted to OOXML and rebuilt */
  MG_REASON_XML_DOCTYPE,       /* XML with a DOCTYPE (entity expansion, XXE) */
  MG_REASON_PAGES_DROPPED,     /* a multi-page image: its first page kept */
  MG_REASON_PICTURES_DROPPED,  /* Office document rebuilt without pictures it could not pass */
  MG_REASON_COUNT,             /* not a reason: how many there are (keep last) */
} MgReason;

const char *mg_verdict_name (MgVerdict verdict);
const char *mg_action_name (MgAction action);
/* The reason in English (report, log) or in the notice language (a static
 * string from the catalogue; "" for MG_REASON_NONE). */
const char *mg_reason_text (MgReason reason, MgLang lang);
