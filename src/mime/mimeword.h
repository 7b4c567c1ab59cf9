/* mimeword.h - header words of MIME: RFC 2047 encoded-words, RFC 2231
 * parameters, and the strict reading of Content-Type / Content-Disposition.
 *
 * Decoding goes through mime/charset so Japanese survives (CP5022x, CP932).
 * The field parser reports every anomaly that makes mail clients disagree
 * (duplicates, comments, encoded or extended boundaries) instead of guessing.
 *
 * Why not GMime's own decoders (g_mime_utils_header_decode_text, the
 * parameter lists of GMimeContentType): they answer one reading and hide how
 * they got it. mugai must know when two readers would disagree, a name given
 * twice, name= beside name*=, a comment in a boundary, continuations with a
 * gap, because a filter downstream and the recipient's client may pick
 * different values; GMime silently keeps one. And it must be as lenient as
 * the Japanese mailers its users run, where GMime is stricter or decodes
 * differently: encoded-words inside quoted strings and unquoted filenames
 * (Outlook, Becky!), a character split across two words, raw 8-bit
 * Shift_JIS in a filename, ISO-2022-JP read as Windows reads it (CP50220).
 * GMime still parses the message structure; these files read its fields.
 *
 * Four files, one job each: mimeword_decode.c (RFC 2047 decoding),
 * mimeword_field.c (the Content-Type / Content-Disposition reader),
 * mimeword_rfc2231.c (parameters as values), mimeword_encode.c (writing
 * headers and parameters, with folding).
 */
#pragma once
#include <glib.h>

/* Decode an unstructured header value (raw, possibly folded) to UTF-8:
 * unfold, decode RFC 2047 words (adjacent words of one charset are joined
 * before decoding, so a character split across two words survives), and
 * decode raw 8-bit bytes by guessing (CP932, EUC-JP, UTF-8). Never NULL. */
char *mg_mimeword_decode_header (const char *raw);

/* For structured headers (addresses), whose syntax must come from the raw
 * value only (RFC 2047 section 5: an encoded-word may stand for a phrase or a
 * comment, never create '<', '@', ',' or quotes). Returns the unfolded RAW as
 * UTF-8 (raw 8-bit text decoded by guessing, controls as spaces) with each run
 * of encoded-words replaced by the placeholder TAG<n>TAG, where n indexes
 * DECODED, which gets the run's decoded UTF-8. TAG must be an atom (letters
 * and digits) that RAW cannot contain by chance. */
char *mg_mimeword_protect_words (const char *raw, const char *tag, GPtrArray *decoded);
/* TEXT (a display name or comment taken from the protected value) with its
 * placeholders replaced by their decoded text. Newly allocated. */
char *mg_mimeword_restore_words (const char *text, const char *tag, GPtrArray *decoded);

typedef enum {
  MG_FIELD_DUPLICATE = 1 << 0,        /* a parameter name given twice (any form) */
  MG_FIELD_COMMENT = 1 << 1,          /* a (comment) in the type or a parameter */
  MG_FIELD_SYNTAX = 1 << 2,           /* junk: missing '=', unterminated quote, bad type */
  MG_FIELD_TOO_MANY = 1 << 3,         /* more parameters than the limit */
  MG_FIELD_MIXED_FORMS = 1 << 4,      /* name= and name*= (or name*0=) both present */
  MG_FIELD_BAD_CONTINUATION = 1 << 5, /* RFC 2231 continuations with gaps or repeats */
  MG_FIELD_STRAY = 1 << 6,            /* words without '=' or quote between ';', dropped */
} MgFieldFlags;

typedef struct {
  char *name;            /* lower-case, without the '*' or '*N' suffix */
  char *value;           /* decoded UTF-8 */
  char *raw;             /* the value as written (quotes removed), for boundaries */
  gboolean extended;     /* came in RFC 2231 form (name*= or name*0=) */
  gboolean encoded_word; /* the value held an RFC 2047 encoded-word */
  gboolean quoted;       /* plain form written as one quoted string */
} MgMimeParam;

typedef struct {
  char *type;        /* lower-case "type/subtype" (or disposition token); NULL if none */
  GPtrArray *params; /* MgMimeParam *, in order of first appearance */
  guint flags;       /* MgFieldFlags */
} MgMimeField;

/* Parse the raw value of a Content-Type or Content-Disposition field, reading
 * at most MAX_PARAMS parameters (MG_FIELD_TOO_MANY past that). Never NULL. */
MgMimeField *mg_mimeword_parse_field (const char *raw, guint max_params);
/* The parameter NAME (lower-case), or NULL. Owned by FIELD. */
const MgMimeParam *mg_mimeword_field_param (const MgMimeField *field, const char *name);
void mg_mimeword_field_free (MgMimeField *field);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (MgMimeField, mg_mimeword_field_free)

/* Encode a UTF-8 unstructured value for a header named NAME: pure ASCII is
 * folded as is; otherwise RFC 2047 B-words in UTF-8 (or ISO-2022-JP when
 * ISO2022JP and every character fits), never splitting a character, lines
 * folded under 78 columns. Returns the value only (no "Name: "), without the
 * final newline; continuation lines start with a space. */
char *mg_mimeword_encode_header (const char *name, const char *utf8, gboolean iso2022jp);

/* Encode a parameter for output: NAME="ascii" when plain ASCII, else RFC 2231
 * NAME*=UTF-8''%XX.. (continued as NAME*0*=, NAME*1*= when long). Returns the
 * text after "; " (e.g. "filename*=UTF-8''%E8%A6%8B.txt"). */
char *mg_mimeword_encode_param (const char *name, const char *utf8);
