/* pdf_sfnt.c - a TrueType font reduced to its glyph outlines (see pdf_sfnt.h).
 *
 * The font is read with every offset and length checked against the bytes
 * there are; a glyph that does not parse is written empty (that letter is
 * not shown) rather than copied. loca is always written in the long format.
 */
#include "filters/pdf_sfnt.h"

#include <string.h>

/* The tables kept, in the sorted order of an sfnt directory. */
static const char kept_tags[][5] = { "cmap", "glyf", "head", "hhea", "hmtx", "loca", "maxp" };
enum { CMAP, GLYF, HEAD, HHEA, HMTX, LOCA, MAXP, N_KEPT };

#define SFNT_HEAD_MIN 54 /* through indexToLocFormat */
#define SFNT_MAXP_V1 0x00010000u
#define SFNT_MAXP_V1_LEN 32
#define SFNT_CHECKSUM_MAGIC 0xB1B0AFBAu

/* Composite glyph flags. */
#define ARG_1_AND_2_ARE_WORDS 0x0001
#define WE_HAVE_A_SCALE 0x0008
#define MORE_COMPONENTS 0x0020
#define WE_HAVE_AN_X_AND_Y_SCALE 0x0040
#define WE_HAVE_A_TWO_BY_TWO 0x0080
#define WE_HAVE_INSTRUCTIONS 0x0100

typedef struct {
  const guint8 *data;
  gsize len;
} Span;

static guint
be16 (const guint8 *p)
{
  return (guint) p[0] << 8 | p[1];
}

static guint32
be32 (const guint8 *p)
{
  return (guint32) p[0] << 24 | (guint32) p[1] << 16 | (guint32) p[2] << 8 | p[3];
}

static void
put16 (guint8 *p, guint v)
{
  p[0] = v >> 8;
  p[1] = v;
}

static void
put32 (guint8 *p, guint32 v)
{
  put16 (p, v >> 16);
  put16 (p + 2, v & 0xffff);
}

static void
append32 (GByteArray *a, guint32 v)
{
  guint8 b[4];

  put32 (b, v);
  g_byte_array_append (a, b, 4);
}

static guint32
checksum (const guint8 *data, gsize len)
{
  guint32 sum = 0;

  for (gsize i = 0; i < len; i += 4) {
    guint8 word[4] = { 0 };
    memcpy (word, data + i, MIN (4, len - i));
    sum += be32 (word);
  }
  return sum;
}

/* The kept tables of FONT into TABLES; FALSE when the directory is malformed. */
static gboolean
read_directory (const guint8 *font, gsize len, Span *tables)
{
  if (len < 12 || (be32 (font) != 0x00010000u && memcmp (font, "true", 4) != 0))
    return FALSE;
  guint n = be16 (font + 4);
  if (12 + (gsize) n * 16 > len)
    return FALSE;
  for (guint i = 0; i < n; i++) {
    const guint8 *rec = font + 12 + i * 16;
    guint64 off = be32 (rec + 8), size = be32 (rec + 12);
    for (guint k = 0; k < N_KEPT; k++)
      if (memcmp (rec, kept_tags[k], 4) == 0) {
        if (off + size > len)
          return FALSE;
        tables[k] = (Span){ font + off, size };
      }
  }
  return tables[GLYF].data != NULL && tables[LOCA].data != NULL && tables[HMTX].data != NULL &&
         tables[HHEA].data != NULL && tables[HEAD].len >= SFNT_HEAD_MIN &&
         tables[MAXP].len >= 6;
}

/* A simple glyph G without its instructions, appended to OUT. */
static gboolean
simple_glyph (Span g, guint contours, GByteArray *out)
{
  gsize at = 10 + (gsize) contours * 2;

  if (at + 2 > g.len)
    return FALSE;
  gsize code_end = at + 2 + be16 (g.data + at);
  if (code_end > g.len)
    return FALSE;
  static const guint8 none[2] = { 0, 0 };
  g_byte_array_append (out, g.data, at);
  g_byte_array_append (out, none, 2);
  g_byte_array_append (out, g.data + code_end, g.len - code_end);
  return TRUE;
}

/* A composite glyph G without its instructions, appended to OUT. */
static gboolean
composite_glyph (Span g, GByteArray *out)
{
  gsize at = 10;
  guint flags;

  g_byte_array_append (out, g.data, 10);
  do {
    if (at + 4 > g.len)
      return FALSE;
    flags = be16 (g.data + at);
    gsize size = 4 + (flags & ARG_1_AND_2_ARE_WORDS ? 4 : 2);
    size += flags & WE_HAVE_A_SCALE            ? 2
            : flags & WE_HAVE_AN_X_AND_Y_SCALE ? 4
            : flags & WE_HAVE_A_TWO_BY_TWO     ? 8
                                               : 0;
    if (at + size > g.len)
      return FALSE;
    g_byte_array_append (out, g.data + at, size);
    put16 (out->data + out->len - size, flags & ~WE_HAVE_INSTRUCTIONS);
    at += size;
  } while (flags & MORE_COMPONENTS);
  return TRUE;
}

/* Glyph G (may be empty) without instructions appended to OUT, padded to 4
 * bytes; written empty when it does not parse. */
static void
append_glyph (Span g, GByteArray *out)
{
  gsize start = out->len;
  gboolean ok = TRUE;

  if (g.len > 0) {
    int contours = g.len >= 10 ? (gint16) be16 (g.data) : 0;
    ok = g.len >= 10 &&
         (contours >= 0 ? simple_glyph (g, (guint) contours, out) : composite_glyph (g, out));
  }
  if (!ok)
    g_byte_array_set_size (out, start);
  while (out->len % 4 != 0)
    g_byte_array_append (out, (const guint8 *) "", 1);
}

/* glyf and loca (long format) of TABLES again without instructions. */
static gboolean
rewrite_glyphs (const Span *tables, GByteArray *glyf, GByteArray *loca)
{
  guint glyphs = be16 (tables[MAXP].data + 4);
  gboolean longs = be16 (tables[HEAD].data + 50) != 0;
  gsize entry = longs ? 4 : 2;

  if (((gsize) glyphs + 1) * entry > tables[LOCA].len)
    return FALSE;
  for (guint i = 0; i <= glyphs; i++) {
    const guint8 *e = tables[LOCA].data + i * entry;
    guint64 end = longs ? be32 (e) : (guint64) be16 (e) * 2;
    if (i > 0) {
      const guint8 *s = e - entry;
      guint64 begin = longs ? be32 (s) : (guint64) be16 (s) * 2;
      Span g = { NULL, 0 };
      if (begin <= end && end <= tables[GLYF].len)
        g = (Span){ tables[GLYF].data + begin, end - begin };
      append_glyph (g, glyf);
    }
    append32 (loca, glyf->len);
  }
  return glyf->len <= G_MAXUINT32;
}

/* maxp with the hinting machine's limits at nothing (maxZones 1). */
static GByteArray *
rewrite_maxp (Span maxp)
{
  GByteArray *out = g_byte_array_new ();

  g_byte_array_append (out, maxp.data, maxp.len);
  if (maxp.len >= SFNT_MAXP_V1_LEN && be32 (maxp.data) == SFNT_MAXP_V1) {
    memset (out->data + 14, 0, 14); /* maxZones .. maxSizeOfInstructions */
    put16 (out->data + 14, 1);
  }
  return out;
}

/* The sfnt of the N_KEPT TABLES (NULL data: absent), checksums set. */
static GBytes *
assemble (GByteArray **tables)
{
  guint n = 0, log2 = 0;

  for (guint k = 0; k < N_KEPT; k++)
    n += tables[k] != NULL;
  while ((2u << log2) <= n)
    log2++;
  GByteArray *font = g_byte_array_sized_new (12 + 16 * n);
  g_byte_array_set_size (font, 12 + 16 * n);
  put32 (font->data, 0x00010000u);
  put16 (font->data + 4, n);
  put16 (font->data + 6, 16u << log2);
  put16 (font->data + 8, log2);
  put16 (font->data + 10, n * 16 - (16u << log2));
  gsize head_at = 0;
  for (guint k = 0, i = 0; k < N_KEPT; k++) {
    if (tables[k] == NULL)
      continue;
    guint8 *rec = font->data + 12 + 16 * i++;
    memcpy (rec, kept_tags[k], 4);
    put32 (rec + 4, checksum (tables[k]->data, tables[k]->len));
    put32 (rec + 8, font->len);
    put32 (rec + 12, tables[k]->len);
    if (k == HEAD)
      head_at = font->len;
    g_byte_array_append (font, tables[k]->data, tables[k]->len);
    while (font->len % 4 != 0)
      g_byte_array_append (font, (const guint8 *) "", 1);
  }
  put32 (font->data + head_at + 8, SFNT_CHECKSUM_MAGIC - checksum (font->data, font->len));
  return g_byte_array_free_to_bytes (font);
}

GBytes *
mg_pdf_sfnt_outlines_only (GBytes *font, const char **why_r)
{
  gsize len;
  const guint8 *data = g_bytes_get_data (font, &len);
  Span in[N_KEPT] = { { NULL, 0 } };
  GByteArray *out[N_KEPT] = { NULL };
  GBytes *result = NULL;

  *why_r = "not a TrueType font with outlines";
  if (!read_directory (data, len, in))
    return NULL;
  out[GLYF] = g_byte_array_new ();
  out[LOCA] = g_byte_array_new ();
  *why_r = "its glyph index does not fit its glyphs";
  if (rewrite_glyphs (in, out[GLYF], out[LOCA])) {
    out[MAXP] = rewrite_maxp (in[MAXP]);
    for (guint k = 0; k < N_KEPT; k++)
      if (out[k] == NULL && in[k].data != NULL)
        out[k] = g_byte_array_append (g_byte_array_new (), in[k].data, in[k].len);
    put32 (out[HEAD]->data + 8, 0);  /* checkSumAdjustment, set last */
    put16 (out[HEAD]->data + 50, 1); /* indexToLocFormat: long */
    result = assemble (out);
  }
  for (guint k = 0; k < N_KEPT; k++)
    g_clear_pointer (&out[k], g_byte_array_unref);
  return result;
}
