/* mimeword_private.h - what the four mimeword_*.c files share, for them only
 * (mime/mimeword.h is the interface).
 */
#pragma once
#include <glib.h>

#include "mime/mimeword.h"

/* One "name[*N][*]=value" as written (mimeword_field.c). */
typedef struct {
  char *name;      /* lower-case, without the suffix */
  gint section;    /* -1 without "*N" */
  gboolean star;   /* the value is RFC 2231 percent-encoded */
  char *value;     /* quotes and escapes removed */
  gboolean quoted; /* written as a quoted string */
} MgRawParam;

void mg_mimeword_raw_param_free (MgRawParam *r);

/* mimeword_decode.c */
/* RFC 5322 unfolding; a CR or LF that folds nothing is dropped as well. */
char *mg_mimeword_unfold (const char *raw);
/* S (LEN bytes) with its encoded-words decoded, raw 8-bit text guessed, controls
 * as spaces; ANY_WORD_R (may be NULL) tells whether a word was decoded. */
char *mg_mimeword_decode_words (const char *s, gsize len, gboolean *any_word_r);
/* Control characters of S become spaces, in place. */
void mg_mimeword_neutralise_controls (char *s);
/* An encoded-word starts at P. */
gboolean mg_mimeword_starts_word (const char *p);
/* An encoded-word is somewhere in S. */
gboolean mg_mimeword_holds_encoded_word (const char *s);
/* Appends T (N bytes) to OUT with ESCAPE followed by two hex digits decoded:
 * '=' for RFC 2047 Q (where '_' is a space too), '%' for RFC 2231. */
void mg_mimeword_unescape (const char *t, gsize n, char escape, GByteArray *out);

/* mimeword_rfc2231.c */
/* Resolves RAWS (MgRawParam *, as written) into PARAMS (MgMimeParam *, one per
 * name, in order of first appearance), adding to FLAGS what it finds. */
void mg_mimeword_resolve_params (GPtrArray *raws, GPtrArray *params, guint *flags);
void mg_mimeword_param_free (MgMimeParam *param);
