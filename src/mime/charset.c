/* charset.c - bytes in any charset a Japanese mail may carry, to UTF-8; and
 * UTF-8 back to ISO-2022-JP in Microsoft's CP50220 form.
 *
 * ISO-2022-JP is read as Windows reads it (CP50220/50221/50222): every JIS
 * X 0208 pair becomes its CP932 pair, so the NEC and IBM extensions and the
 * Microsoft wave dash survive; JIS X 0212 goes through EUC-JP-MS, JIS X 0213
 * through EUC-JISX0213 (which also reads what EUC-JP-MS lacks). Labels are
 * checked against the bytes: an ISO-2022-JP or US-ASCII label on 8-bit bytes,
 * or a Shift_JIS/EUC-JP label on bytes only another charset reads cleanly, is
 * replaced by the guess.
 *
 * It must never write '?' for a character it can read, never return invalid
 * UTF-8, and never keep state between calls: iconv descriptors are opened per
 * call, so every function is thread-safe.
 */
#include "mime/charset.h"

#include <errno.h>
#include <string.h>

#define MG_CHARSET_REPLACEMENT "\xef\xbf\xbd"
#define ESC 0x1b
#define SO 0x0e
#define SI 0x0f

typedef enum {
  MG_CS_ASCII,
  MG_CS_UTF8,
  MG_CS_ISO2022JP,
  MG_CS_CP932,
  MG_CS_EUCJP,
  MG_CS_ICONV,
} MgCsKind;

/* How a label is read: our own decoder, or glibc iconv under ICONV_NAME with
 * FALLBACK tried on each sequence the first rejects. */
typedef struct {
  const char *label;
  MgCsKind kind;
  const char *iconv_name;
  const char *fallback;
} MgCsAlias;

static const MgCsAlias aliases[] = {
  { "us-ascii", MG_CS_ASCII, NULL, NULL },
  { "ascii", MG_CS_ASCII, NULL, NULL },
  { "ansi_x3.4-1968", MG_CS_ASCII, NULL, NULL },
  { "iso646-us", MG_CS_ASCII, NULL, NULL },
  { "utf-8", MG_CS_UTF8, NULL, NULL },
  { "utf8", MG_CS_UTF8, NULL, NULL },
  { "unicode-1-1-utf-8", MG_CS_UTF8, NULL, NULL },
  { "iso-2022-jp", MG_CS_ISO2022JP, NULL, NULL },
  { "csiso2022jp", MG_CS_ISO2022JP, NULL, NULL },
  { "iso-2022-jp-1", MG_CS_ISO2022JP, NULL, NULL },
  { "iso-2022-jp-2", MG_CS_ISO2022JP, NULL, NULL },
  { "iso-2022-jp-3", MG_CS_ISO2022JP, NULL, NULL },
  { "iso-2022-jp-ms", MG_CS_ISO2022JP, NULL, NULL },
  { "cp50220", MG_CS_ISO2022JP, NULL, NULL },
  { "cp50221", MG_CS_ISO2022JP, NULL, NULL },
  { "cp50222", MG_CS_ISO2022JP, NULL, NULL },
  { "iso-2022-jp-2004", MG_CS_ISO2022JP, NULL, NULL },
  { "shift_jis", MG_CS_CP932, "CP932", NULL },
  { "shift-jis", MG_CS_CP932, "CP932", NULL },
  { "sjis", MG_CS_CP932, "CP932", NULL },
  { "x-sjis", MG_CS_CP932, "CP932", NULL },
  { "ms_kanji", MG_CS_CP932, "CP932", NULL },
  { "csshiftjis", MG_CS_CP932, "CP932", NULL },
  { "windows-31j", MG_CS_CP932, "CP932", NULL },
  { "cp932", MG_CS_CP932, "CP932", NULL },
  { "x-ms-cp932", MG_CS_CP932, "CP932", NULL },
  { "euc-jp", MG_CS_EUCJP, "EUC-JP-MS", "EUC-JISX0213" },
  { "x-euc-jp", MG_CS_EUCJP, "EUC-JP-MS", "EUC-JISX0213" },
  { "eucjp", MG_CS_EUCJP, "EUC-JP-MS", "EUC-JISX0213" },
  { "euc-jp-ms", MG_CS_EUCJP, "EUC-JP-MS", "EUC-JISX0213" },
  { "eucjp-ms", MG_CS_EUCJP, "EUC-JP-MS", "EUC-JISX0213" },
  { "eucjp-win", MG_CS_EUCJP, "EUC-JP-MS", "EUC-JISX0213" },
  { "cseucpkdfmtjapanese", MG_CS_EUCJP, "EUC-JP-MS", "EUC-JISX0213" },
  { "euc-jis-2004", MG_CS_ICONV, "EUC-JISX0213", NULL },
  { "shift_jis-2004", MG_CS_ICONV, "SHIFT_JISX0213", NULL },
  /* Mail clients read these labels as their Microsoft supersets. */
  { "iso-8859-1", MG_CS_ICONV, "WINDOWS-1252", "ISO-8859-1" },
  { "latin1", MG_CS_ICONV, "WINDOWS-1252", "ISO-8859-1" },
  { "windows-1252", MG_CS_ICONV, "WINDOWS-1252", "ISO-8859-1" },
  { "ks_c_5601-1987", MG_CS_ICONV, "CP949", NULL },
  { "euc-kr", MG_CS_ICONV, "CP949", NULL },
  { "gb2312", MG_CS_ICONV, "GB18030", NULL },
  { "gbk", MG_CS_ICONV, "GB18030", NULL },
  { "big5", MG_CS_ICONV, "BIG5-HKSCS", NULL },
};

/* ---- iconv runs ---------------------------------------------------------- */

typedef gsize (*MgBadLen) (const guchar *p, gsize left);

/* One conversion to UTF-8; FALLBACK is (GIConv) -1 when there is none. */
typedef struct {
  GIConv cd;
  GIConv fallback;
  MgBadLen bad_len;
} MgConv;

static gsize
bad_len_single (const guchar *p, gsize left)
{
  (void) p;
  (void) left;
  return 1;
}

static gboolean
cp932_lead (guchar b)
{
  return (b >= 0x81 && b <= 0x9f) || (b >= 0xe0 && b <= 0xfc);
}

static gboolean
cp932_trail (guchar b)
{
  return b >= 0x40 && b <= 0xfc && b != 0x7f;
}

/* A lead and trail byte that CP932 does not map are one unknown character. */
static gsize
bad_len_cp932 (const guchar *p, gsize left)
{
  return left >= 2 && cp932_lead (p[0]) && cp932_trail (p[1]) ? 2 : 1;
}

static gboolean
euc_byte (guchar b)
{
  return b >= 0xa1 && b <= 0xfe;
}

static gsize
bad_len_eucjp (const guchar *p, gsize left)
{
  if (p[0] == 0x8f && left >= 3 && euc_byte (p[1]) && euc_byte (p[2]))
    return 3;
  if ((p[0] == 0x8e || euc_byte (p[0])) && left >= 2 && euc_byte (p[1]))
    return 2;
  return 1;
}

static gboolean
conv_open (MgConv *conv, const char *name, const char *fallback, MgBadLen bad_len)
{
  conv->cd = g_iconv_open ("UTF-8", name);
  conv->fallback = (GIConv) -1;
  conv->bad_len = bad_len;
  if (conv->cd == (GIConv) -1)
    return FALSE;
  if (fallback != NULL)
    conv->fallback = g_iconv_open ("UTF-8", fallback);
  return TRUE;
}

static void
conv_close (MgConv *conv)
{
  if (conv->cd != (GIConv) -1)
    g_iconv_close (conv->cd);
  if (conv->fallback != (GIConv) -1)
    g_iconv_close (conv->fallback);
  conv->cd = conv->fallback = (GIConv) -1;
}

/* Converts exactly LEN bytes with CD, or appends nothing. */
static gboolean
convert_whole (GIConv cd, GString *out, const guchar *p, gsize len)
{
  char buf[64];
  char *in = (char *) p, *o = buf;
  gsize left = len, olen = sizeof buf;

  if (cd == (GIConv) -1)
    return FALSE;
  g_iconv (cd, NULL, NULL, NULL, NULL);
  if (g_iconv (cd, &in, &left, &o, &olen) == (gsize) -1 || left != 0)
    return FALSE;
  g_string_append_len (out, buf, o - buf);
  return TRUE;
}

static void
append_replacement (GString *out, gsize *invalid)
{
  g_string_append (out, MG_CHARSET_REPLACEMENT);
  (*invalid)++;
}

/* Appends LEN bytes converted to OUT; each sequence neither descriptor reads
 * becomes U+FFFD and is counted in *INVALID. */
static void
conv_run (MgConv *conv, GString *out, const guchar *p, gsize len, gsize *invalid)
{
  char *in = (char *) p;
  gsize left = len;

  while (left > 0) {
    char buf[1024];
    char *o = buf;
    gsize olen = sizeof buf, n;
    gsize r = g_iconv (conv->cd, &in, &left, &o, &olen);

    g_string_append_len (out, buf, o - buf);
    if (r != (gsize) -1 || errno == E2BIG)
      continue;
    n = errno == EINVAL ? left : MIN (left, conv->bad_len ((guchar *) in, left));
    if (!convert_whole (conv->fallback, out, (guchar *) in, n))
      append_replacement (out, invalid);
    in += n;
    left -= n;
  }
}

/* ---- UTF-8 and ASCII ----------------------------------------------------- */

static void
decode_utf8 (GString *out, const guchar *p, gsize len, gsize *invalid)
{
  gsize i = 0;

  if (len >= 3 && memcmp (p, "\xef\xbb\xbf", 3) == 0)
    i = 3;
  while (i < len) {
    gunichar c;

    if (p[i] < 0x80) {
      g_string_append_c (out, (char) p[i++]);
      continue;
    }
    c = g_utf8_get_char_validated ((const char *) p + i, (gssize) (len - i));
    if (c == (gunichar) -1 || c == (gunichar) -2) {
      append_replacement (out, invalid);
      i++;
      continue;
    }
    g_string_append_unichar (out, c);
    i += g_unichar_to_utf8 (c, NULL);
  }
}

static void
decode_ascii (GString *out, const guchar *p, gsize len, gsize *invalid)
{
  for (gsize i = 0; i < len; i++) {
    if (p[i] < 0x80)
      g_string_append_c (out, (char) p[i]);
    else
      append_replacement (out, invalid);
  }
}

/* ---- ISO-2022-JP as CP5022x ---------------------------------------------- */

typedef enum {
  MG_JIS_ASCII,
  MG_JIS_KANA,
  MG_JIS_X0208,
  MG_JIS_X0212,
  MG_JIS_X0213_1,
  MG_JIS_X0213_2,
  MG_JIS_KEEP,
} MgJisSet;

static const struct {
  const char *seq;
  MgJisSet set;
} jis_escapes[] = {
  { "(B", MG_JIS_ASCII },    { "(J", MG_JIS_ASCII },    { "(H", MG_JIS_ASCII },
  { "(I", MG_JIS_KANA },     { "$@", MG_JIS_X0208 },    { "$B", MG_JIS_X0208 },
  { "$(@", MG_JIS_X0208 },   { "$(B", MG_JIS_X0208 },   { "$(D", MG_JIS_X0212 },
  { "$(O", MG_JIS_X0213_1 }, { "$(Q", MG_JIS_X0213_1 }, { "$(P", MG_JIS_X0213_2 },
  { "&@", MG_JIS_KEEP }, /* JIS X 0208-1990 announcer, followed by ESC $ B */
};

/* The length of the escape sequence at P (after ESC) and its set, or 0. */
static gsize
jis_escape (const guchar *p, gsize left, MgJisSet *set_r)
{
  for (gsize i = 0; i < G_N_ELEMENTS (jis_escapes); i++) {
    gsize n = strlen (jis_escapes[i].seq);
    if (n <= left && memcmp (p, jis_escapes[i].seq, n) == 0) {
      *set_r = jis_escapes[i].set;
      return n;
    }
  }
  return 0;
}

/* JIS row/cell bytes (0x21..0x7E each) to the CP932 pair. */
static void
jis_to_sjis (guchar j1, guchar j2, guchar s[2])
{
  guint s1 = ((j1 - 0x21u) >> 1) + 0x81;

  s[0] = (guchar) (s1 > 0x9f ? s1 + 0x40 : s1);
  if (j1 & 1)
    s[1] = (guchar) (j2 + 0x1f + (j2 >= 0x60));
  else
    s[1] = (guchar) (j2 + 0x7e);
}

typedef struct {
  GString *out;
  GByteArray *sjis; /* pending bytes, already rewritten as CP932 */
  MgConv cp932;
  MgConv eucjp;
  MgConv jisx0213;
  gsize invalid;
  MgJisSet set;
  gboolean shifted; /* SO: half-width katakana until SI */
} MgJisDecoder;

static void
jis_flush (MgJisDecoder *d)
{
  conv_run (&d->cp932, d->out, d->sjis->data, d->sjis->len, &d->invalid);
  g_byte_array_set_size (d->sjis, 0);
}

static void
jis_bad (MgJisDecoder *d)
{
  jis_flush (d);
  append_replacement (d->out, &d->invalid);
}

static void
jis_push (MgJisDecoder *d, guchar b)
{
  g_byte_array_append (d->sjis, &b, 1);
}

/* A JIS X 0212 or 0213 character is read in its EUC form (0x8F first for
 * JIS X 0212 and JIS X 0213 plane 2). */
static void
jis_euc (MgJisDecoder *d, MgConv *conv, gboolean plane2, guchar j1, guchar j2)
{
  guchar euc[3] = { 0x8f, (guchar) (j1 | 0x80), (guchar) (j2 | 0x80) };

  jis_flush (d);
  if (conv->cd == (GIConv) -1)
    append_replacement (d->out, &d->invalid);
  else
    conv_run (conv, d->out, plane2 ? euc : euc + 1, plane2 ? 3 : 2, &d->invalid);
}

/* Reads the graphic byte(s) at P in the current set; returns bytes used. */
static gsize
jis_graphic (MgJisDecoder *d, const guchar *p, gsize left)
{
  guchar s[2];

  if (d->shifted || d->set == MG_JIS_KANA) {
    if (p[0] > 0x5f)
      jis_bad (d);
    else
      jis_push (d, (guchar) (p[0] + 0x80));
    return 1;
  }
  if (d->set == MG_JIS_ASCII) {
    jis_push (d, p[0]);
    return 1;
  }
  if (left < 2 || p[1] < 0x21 || p[1] > 0x7e) {
    jis_bad (d);
    return 1;
  }
  if (d->set == MG_JIS_X0212)
    jis_euc (d, &d->eucjp, TRUE, p[0], p[1]);
  else if (d->set == MG_JIS_X0213_1 || d->set == MG_JIS_X0213_2)
    jis_euc (d, &d->jisx0213, d->set == MG_JIS_X0213_2, p[0], p[1]);
  if (d->set != MG_JIS_X0208)
    return 2;
  jis_to_sjis (p[0], p[1], s);
  g_byte_array_append (d->sjis, s, 2);
  return 2;
}

/* Reads a control, escape, shift or 8-bit byte at P; returns bytes used. */
static gsize
jis_special (MgJisDecoder *d, const guchar *p, gsize left)
{
  MgJisSet set;
  gsize n;

  if (p[0] == SO || p[0] == SI) {
    d->shifted = p[0] == SO;
    return 1;
  }
  if (p[0] == ESC) {
    n = jis_escape (p + 1, left - 1, &set);
    if (n == 0) {
      jis_bad (d);
      return 1;
    }
    if (set != MG_JIS_KEEP)
      d->set = set;
    return n + 1;
  }
  if (p[0] >= 0xa1 && p[0] <= 0xdf) /* 8-bit JIS (CP50222 senders) */
    jis_push (d, p[0]);
  else if (p[0] >= 0x80)
    jis_bad (d);
  else
    jis_push (d, p[0]);
  return 1;
}

static void
decode_iso2022jp (GString *out, const guchar *p, gsize len, gsize *invalid)
{
  MgJisDecoder d = { out, g_byte_array_new (), { 0 }, { 0 }, { 0 }, 0, MG_JIS_ASCII, FALSE };
  gsize i = 0;

  if (!conv_open (&d.cp932, "CP932", NULL, bad_len_cp932))
    g_error ("glibc iconv lacks CP932");
  conv_open (&d.eucjp, "EUC-JP-MS", NULL, bad_len_eucjp);
  conv_open (&d.jisx0213, "EUC-JISX0213", NULL, bad_len_eucjp);
  while (i < len) {
    if (p[i] >= 0x21 && p[i] <= 0x7e)
      i += jis_graphic (&d, p + i, len - i);
    else
      i += jis_special (&d, p + i, len - i);
  }
  jis_flush (&d);
  *invalid += d.invalid;
  g_byte_array_unref (d.sjis);
  conv_close (&d.cp932);
  conv_close (&d.eucjp);
  conv_close (&d.jisx0213);
}

/* ---- guessing ------------------------------------------------------------ */

static gboolean
has_8bit (const guchar *p, gsize len)
{
  for (gsize i = 0; i < len; i++)
    if (p[i] >= 0x80)
      return TRUE;
  return FALSE;
}

static gboolean
has_jis_escape (const guchar *p, gsize len)
{
  static const char *const seqs[] = { "\x1b$B", "\x1b$@", "\x1b(I", "\x1b$(D" };

  for (const guchar *e = memchr (p, ESC, len); e != NULL;
       e = memchr (e + 1, ESC, len - (gsize) (e + 1 - p))) {
    gsize left = len - (gsize) (e - p);
    for (gsize k = 0; k < G_N_ELEMENTS (seqs); k++)
      if (left >= strlen (seqs[k]) && memcmp (e, seqs[k], strlen (seqs[k])) == 0)
        return TRUE;
  }
  return FALSE;
}

typedef struct {
  gsize multibyte; /* well-formed multibyte characters */
  gsize common;    /* of those, kana, kanji or Japanese punctuation */
  gsize kana;      /* half-width katakana (rare in mail: a hint of a misreading) */
  gsize invalid;
} MgScore;

static void
score_utf8 (const guchar *p, gsize len, MgScore *s)
{
  gsize i = 0;

  while (i < len) {
    gunichar c;
    if (p[i] < 0x80) {
      i++;
      continue;
    }
    c = g_utf8_get_char_validated ((const char *) p + i, (gssize) (len - i));
    if (c == (gunichar) -1 || c == (gunichar) -2) {
      s->invalid++;
      i++;
      continue;
    }
    s->multibyte++;
    i += g_unichar_to_utf8 (c, NULL);
  }
}

static void
score_cp932 (const guchar *p, gsize len, MgScore *s)
{
  for (gsize i = 0; i < len; i++) {
    if (p[i] < 0x80)
      continue;
    if (p[i] >= 0xa1 && p[i] <= 0xdf) {
      s->kana++;
    } else if (cp932_lead (p[i]) && i + 1 < len && cp932_trail (p[i + 1])) {
      s->multibyte++;
      s->common += p[i] <= 0x83 || (p[i] >= 0x88 && p[i] <= 0x9f) ||
                   (p[i] >= 0xe0 && p[i] <= 0xea);
      i++;
    } else {
      s->invalid++;
    }
  }
}

static void
score_eucjp (const guchar *p, gsize len, MgScore *s)
{
  for (gsize i = 0; i < len; i++) {
    gsize n;
    if (p[i] < 0x80)
      continue;
    n = bad_len_eucjp (p + i, len - i);
    if (n == 1) {
      s->invalid++;
      continue;
    }
    if (p[i] == 0x8e)
      s->kana++;
    else
      s->multibyte++;
    s->common += p[i] == 0xa1 || p[i] == 0xa4 || p[i] == 0xa5 ||
                 (p[i] >= 0xb0 && p[i] <= 0xf4);
    i += n - 1;
  }
}

static gssize
score_value (const MgScore *s)
{
  return (gssize) (2 * s->common + s->multibyte) - (gssize) (s->kana + 8 * s->invalid);
}

/* Shift_JIS (CP932), EUC-JP or, when neither reads the bytes, windows-1252. */
static const char *
guess_legacy (const guchar *p, gsize len)
{
  MgScore u = { 0 }, s = { 0 }, e = { 0 };

  score_utf8 (p, len, &u);
  if (u.invalid <= 1 && u.multibyte >= 4) /* UTF-8 cut short */
    return "utf-8";
  score_cp932 (p, len, &s);
  score_eucjp (p, len, &e);
  if (score_value (&s) < 0 && score_value (&e) < 0)
    return "windows-1252";
  return score_value (&e) > score_value (&s) ? "euc-jp" : "cp932";
}

const char *
mg_charset_guess (const char *data, gsize len)
{
  const guchar *p = (const guchar *) data;
  MgScore u = { 0 };

  if (!has_8bit (p, len))
    return has_jis_escape (p, len) ? "iso-2022-jp" : "us-ascii";
  score_utf8 (p, len, &u);
  if (u.invalid == 0)
    return "utf-8";
  if (has_jis_escape (p, len))
    return "iso-2022-jp";
  return guess_legacy (p, len);
}

/* ---- decoding ------------------------------------------------------------ */

/* Lower-case label without quotes and blanks, or NULL if it could not be one. */
static char *
normalise_label (const char *charset)
{
  g_autofree char *s = NULL;

  if (charset == NULL)
    return NULL;
  s = g_strstrip (g_strdelimit (g_strdup (charset), "\"'", ' '));
  if (*s == '\0' || strlen (s) > 40)
    return NULL;
  for (const char *c = s; *c != '\0'; c++)
    if (!g_ascii_isalnum (*c) && strchr ("-_.:", *c) == NULL)
      return NULL;
  return g_ascii_strdown (s, -1);
}

static const MgCsAlias *
lookup_alias (const char *label)
{
  for (gsize i = 0; i < G_N_ELEMENTS (aliases); i++)
    if (strcmp (aliases[i].label, label) == 0)
      return &aliases[i];
  return NULL;
}

/* What to read CHARSET as; an unknown label is guessed from the bytes. A label
 * only glibc knows is returned in *LABEL_R, which the result points into. */
static MgCsAlias
resolve_label (const char *charset, const guchar *p, gsize len, char **label_r)
{
  char *label = normalise_label (charset);
  const MgCsAlias *alias = label != NULL ? lookup_alias (label) : NULL;
  MgCsAlias other = { NULL, MG_CS_ICONV, NULL, NULL };
  GIConv cd;

  *label_r = label;
  if (alias != NULL)
    return *alias;
  if (label != NULL && (cd = g_iconv_open ("UTF-8", label)) != (GIConv) -1) {
    g_iconv_close (cd);
    other.iconv_name = label;
    return other;
  }
  return *lookup_alias (mg_charset_guess ((const char *) p, len));
}

static void
decode_iconv (GString *out, const MgCsAlias *cs, const guchar *p, gsize len, gsize *invalid)
{
  MgBadLen bad_len = cs->kind == MG_CS_CP932   ? bad_len_cp932
                     : cs->kind == MG_CS_EUCJP ? bad_len_eucjp
                                               : bad_len_single;
  MgConv conv;

  if (!conv_open (&conv, cs->iconv_name, cs->fallback, bad_len)) {
    decode_ascii (out, p, len, invalid);
    return;
  }
  conv_run (&conv, out, p, len, invalid);
  conv_close (&conv);
}

static void
decode_as (GString *out, const MgCsAlias *cs, const guchar *p, gsize len, gsize *invalid)
{
  switch (cs->kind) {
  case MG_CS_ASCII:
    decode_ascii (out, p, len, invalid);
    break;
  case MG_CS_UTF8:
    decode_utf8 (out, p, len, invalid);
    break;
  case MG_CS_ISO2022JP:
    decode_iso2022jp (out, p, len, invalid);
    break;
  default:
    decode_iconv (out, cs, p, len, invalid);
    break;
  }
}

/* A label that 8-bit bytes or a clean reading in another charset contradict
 * gives way to the guess. */
static const MgCsAlias *
correct_label (const MgCsAlias *cs, const guchar *p, gsize len)
{
  switch (cs->kind) {
  case MG_CS_ASCII:
  case MG_CS_ISO2022JP:
    if (!has_8bit (p, len) && (cs->kind == MG_CS_ISO2022JP || !has_jis_escape (p, len)))
      return cs;
    return lookup_alias (mg_charset_guess ((const char *) p, len));
  default:
    return cs;
  }
}

/* Decodes as the label says; a Japanese label that leaves errors where the
 * guess reads everything is replaced by the guess. */
static void
decode_checked (GString *out, const MgCsAlias *cs, const guchar *p, gsize len, gsize *invalid)
{
  const MgCsAlias *guess;
  GString *other;
  gsize n = 0, m = 0;

  if (cs->kind != MG_CS_CP932 && cs->kind != MG_CS_EUCJP) {
    decode_as (out, correct_label (cs, p, len), p, len, invalid);
    return;
  }
  decode_as (out, cs, p, len, &n);
  guess = n > 0 ? lookup_alias (mg_charset_guess ((const char *) p, len)) : cs;
  if (guess->kind != cs->kind && guess->kind != MG_CS_ICONV) {
    other = g_string_new (NULL);
    decode_as (other, guess, p, len, &m);
    if (m == 0) {
      g_string_truncate (out, 0);
      g_string_append_len (out, other->str, (gssize) other->len);
      n = 0;
    }
    g_string_free (other, TRUE);
  }
  *invalid += n;
}

/* Removes U+0000 (only ever the byte 0 in UTF-8). */
static void
drop_nuls (GString *s)
{
  gsize j = 0;

  for (gsize i = 0; i < s->len; i++)
    if (s->str[i] != '\0')
      s->str[j++] = s->str[i];
  g_string_truncate (s, j);
}

char *
mg_charset_decode (const char *data, gsize len, const char *charset, gsize *invalid_r)
{
  const guchar *p = (const guchar *) data;
  GString *out = g_string_sized_new (len + 1);
  g_autofree char *label = NULL;
  MgCsAlias cs;
  gsize invalid = 0;

  if (data == NULL) {
    p = (const guchar *) "";
    len = 0;
  }
  cs = resolve_label (charset, p, len, &label);
  decode_checked (out, &cs, p, len, &invalid);
  drop_nuls (out);
  if (!g_utf8_validate (out->str, (gssize) out->len, NULL)) {
    char *valid = g_utf8_make_valid (out->str, (gssize) out->len);
    g_string_assign (out, valid);
    g_free (valid);
    invalid++;
  }
  if (invalid_r != NULL)
    *invalid_r = invalid;
  return g_string_free (out, FALSE);
}

/* ---- encoding to ISO-2022-JP (CP50220) ----------------------------------- */

/* U+FF61..U+FF9F, half-width katakana, as their full-width forms. */
static const guint16 fullwidth_kana[] = {
  0x3002, 0x300c, 0x300d, 0x3001, 0x30fb, 0x30f2, 0x30a1, 0x30a3, 0x30a5, 0x30a7, 0x30a9,
  0x30e3, 0x30e5, 0x30e7, 0x30c3, 0x30fc, 0x30a2, 0x30a4, 0x30a6, 0x30a8, 0x30aa, 0x30ab,
  0x30ad, 0x30af, 0x30b1, 0x30b3, 0x30b5, 0x30b7, 0x30b9, 0x30bb, 0x30bd, 0x30bf, 0x30c1,
  0x30c4, 0x30c6, 0x30c8, 0x30ca, 0x30cb, 0x30cc, 0x30cd, 0x30ce, 0x30cf, 0x30d2, 0x30d5,
  0x30d8, 0x30db, 0x30de, 0x30df, 0x30e0, 0x30e1, 0x30e2, 0x30e4, 0x30e6, 0x30e8, 0x30e9,
  0x30ea, 0x30eb, 0x30ec, 0x30ed, 0x30ef, 0x30f3, 0x309b, 0x309c,
};

/* IBM extensions 0xFA40..0xFA5B as the NEC or NEC-selected codes that JIS
 * rows can carry (the kanji that follow map one to one onto 0xED40..). */
static const guint16 ibm_non_kanji[] = {
  0xeeef, 0xeef0, 0xeef1, 0xeef2, 0xeef3, 0xeef4, 0xeef5, 0xeef6, 0xeef7, 0xeef8,
  0x8754, 0x8755, 0x8756, 0x8757, 0x8758, 0x8759, 0x875a, 0x875b, 0x875c, 0x875d,
  0x81ca, 0xeefa, 0xeefb, 0xeefc, 0x878a, 0x8782, 0x8784, 0x81e6,
};

/* Position of a CP932 double-byte code in lead-major, trail-minor order. */
static guint
sjis_index (guint code)
{
  guint trail = code & 0xff;
  return (code >> 8) * 188 + trail - 0x40 - (trail >= 0x80);
}

static guint
sjis_from_index (guint index)
{
  guint t = index % 188;
  return (index / 188) << 8 | (t + 0x40 + (t >= 0x3f));
}

/* The code of CODE's character inside the JIS rows, or 0 for none. */
static guint
sjis_in_jis_range (guint code)
{
  if (code >= 0xfa40 && code <= 0xfa5b)
    return ibm_non_kanji[code - 0xfa40];
  if (code >= 0xfa5c && code <= 0xfc4b)
    return sjis_from_index (sjis_index (code) - sjis_index (0xfa5c) + sjis_index (0xed40));
  return (code >> 8) <= 0xef ? code : 0;
}

/* The CP932 double-byte code of C, or 0 when it has none. */
static guint
cp932_code (GIConv cd, gunichar c)
{
  char in[6], out[8];
  char *ip = in, *op = out;
  gsize ilen = (gsize) g_unichar_to_utf8 (c, in), olen = sizeof out;

  g_iconv (cd, NULL, NULL, NULL, NULL);
  if (g_iconv (cd, &ip, &ilen, &op, &olen) == (gsize) -1 || op - out != 2 ||
      !cp932_lead ((guchar) out[0]))
    return 0;
  return (guint) (guchar) out[0] << 8 | (guchar) out[1];
}

/* The full-width form of the half-width katakana at *P, joined with a
 * following voiced or semi-voiced mark when CP932 has the result; advances *P. */
static gunichar
widen_kana (GIConv cd, const char **p)
{
  gunichar c = fullwidth_kana[g_utf8_get_char (*p) - 0xff61], composed;
  const char *next = g_utf8_next_char (*p);
  gunichar mark = g_utf8_get_char (next);

  *p = next;
  if (mark != 0xff9e && mark != 0xff9f)
    return c;
  if (g_unichar_compose (c, mark == 0xff9e ? 0x3099 : 0x309a, &composed) &&
      cp932_code (cd, composed) != 0) {
    *p = g_utf8_next_char (next);
    return composed;
  }
  return c;
}

static void
sjis_to_jis (guint code, GString *out)
{
  guint s1 = code >> 8, s2 = code & 0xff;
  guint j1 = ((s1 >= 0xe0 ? s1 - 0x40 : s1) - 0x81) * 2 + 0x21;

  if (s2 >= 0x9f) {
    g_string_append_c (out, (char) (j1 + 1));
    g_string_append_c (out, (char) (s2 - 0x7e));
  } else {
    g_string_append_c (out, (char) j1);
    g_string_append_c (out, (char) (s2 - 0x1f - (s2 >= 0x80)));
  }
}

typedef struct {
  GIConv cd;
  GString *out;
  gboolean jis;
} MgJisEncoder;

static gboolean
encode_char (MgJisEncoder *e, gunichar c)
{
  guint code;

  if (c < 0x80) {
    if (c == ESC || c == SO || c == SI || c == 0)
      return FALSE;
    if (e->jis)
      g_string_append (e->out, "\x1b(B");
    e->jis = FALSE;
    g_string_append_c (e->out, (char) c);
    return TRUE;
  }
  code = cp932_code (e->cd, c);
  code = code != 0 ? sjis_in_jis_range (code) : 0;
  if (code == 0)
    return FALSE;
  if (!e->jis)
    g_string_append (e->out, "\x1b$B");
  e->jis = TRUE;
  sjis_to_jis (code, e->out);
  return TRUE;
}

char *
mg_charset_encode_iso2022jp (const char *utf8, gsize *len_r)
{
  MgJisEncoder e = { (GIConv) -1, NULL, FALSE };
  gboolean ok = TRUE;

  g_return_val_if_fail (utf8 != NULL, NULL);
  if (!g_utf8_validate (utf8, -1, NULL))
    return NULL;
  e.cd = g_iconv_open ("CP932", "UTF-8");
  if (e.cd == (GIConv) -1)
    g_error ("glibc iconv lacks CP932");
  e.out = g_string_new (NULL);
  for (const char *p = utf8; ok && *p != '\0';) {
    gunichar c = g_utf8_get_char (p);
    if (c >= 0xff61 && c <= 0xff9f) {
      c = widen_kana (e.cd, &p);
    } else {
      p = g_utf8_next_char (p);
    }
    ok = encode_char (&e, c);
  }
  g_iconv_close (e.cd);
  if (!ok) {
    g_string_free (e.out, TRUE);
    return NULL;
  }
  if (e.jis)
    g_string_append (e.out, "\x1b(B");
  if (len_r != NULL)
    *len_r = e.out->len;
  return g_string_free (e.out, FALSE);
}
