/* pdf_text.c - the text of an input page laid over the rebuilt page as
 * invisible text (see pdf_text.h).
 *
 * poppler_page_get_text_layout gives one box per character of
 * poppler_page_get_text (in the page's drawing space, y downwards). Each
 * character is drawn as one glyph of the layer's font scaled to its box:
 * its height the box's, its advance the box's width, its baseline at the
 * font's descent above the box's bottom, so that readers find words and
 * lines where the visible ones are. White space is not drawn: readers infer
 * it from the gaps, as they do for the visible text.
 */
#include "filters/pdf_text.h"

#include <cairo-ft.h>
#include <fontconfig/fontconfig.h>
#include <ft2build.h>
#include FT_FREETYPE_H
#include <math.h>
#include <string.h>

/* The layer's font: the bytes stay in memory, so that FreeType never opens
 * a file once the worker is sandboxed. */
static FT_Library text_ft;
static FT_Face text_face;
static cairo_font_face_t *text_font;
static char *text_font_data;

/* Width of a zero-width character's box, in its height. */
#define MG_PDF_TEXT_SLIVER 0.05

/* The file of the system's Japanese gothic font (IPAGothic), or NULL. */
static char *
text_font_file (void)
{
  FcPattern *pattern = FcNameParse ((const FcChar8 *) "IPAGothic:lang=ja");
  FcResult res = FcResultNoMatch;
  FcChar8 *file = NULL;
  char *path = NULL;

  FcConfigSubstitute (NULL, pattern, FcMatchPattern);
  FcDefaultSubstitute (pattern);
  FcPattern *match = FcFontMatch (NULL, pattern, &res);
  if (match != NULL && FcPatternGetString (match, FC_FILE, 0, &file) == FcResultMatch)
    path = g_strdup ((const char *) file);
  if (match != NULL)
    FcPatternDestroy (match);
  FcPatternDestroy (pattern);
  return path;
}

/* Every NAME in DATA (LEN bytes), in ASCII and in UTF-16BE, replaced by
 * MG_PDF_TEXT_FONT_NAME cut or padded with 'x' to its length: the layer's
 * font is then told from the same font drawn by poppler. */
static void
text_font_rename (char *data, gsize len, const char *name)
{
  gsize n = strlen (name);
  g_autofree char *to = g_strnfill (n, 'x');
  g_autofree char *name16 = g_malloc0 (2 * n), *to16 = g_malloc0 (2 * n);

  memcpy (to, MG_PDF_TEXT_FONT_NAME, MIN (n, strlen (MG_PDF_TEXT_FONT_NAME)));
  for (gsize i = 0; i < n; i++) {
    name16[2 * i + 1] = name[i];
    to16[2 * i + 1] = to[i];
  }
  for (char *p = data; (p = memmem (p, data + len - p, name, n)) != NULL; p += n)
    memcpy (p, to, n);
  for (char *p = data; (p = memmem (p, data + len - p, name16, 2 * n)) != NULL; p += 2 * n)
    memcpy (p, to16, 2 * n);
}

gboolean
mg_pdf_text_init (void)
{
  g_autofree char *file = NULL;
  g_autofree char *name = NULL;
  gsize len = 0;

  if (text_font != NULL)
    return TRUE;
  file = text_font_file ();
  if (file == NULL || !g_file_get_contents (file, &text_font_data, &len, NULL))
    return FALSE;
  if (FT_Init_FreeType (&text_ft) != 0 ||
      FT_New_Memory_Face (text_ft, (const FT_Byte *) text_font_data, (FT_Long) len, 0,
                          &text_face) != 0 ||
      FT_Get_Postscript_Name (text_face) == NULL ||
      strlen (FT_Get_Postscript_Name (text_face)) < strlen (MG_PDF_TEXT_FONT_NAME)) {
    g_clear_pointer (&text_font_data, g_free);
    return FALSE;
  }
  name = g_strdup (FT_Get_Postscript_Name (text_face));
  FT_Done_Face (text_face);
  text_font_rename (text_font_data, len, name);
  if (FT_New_Memory_Face (text_ft, (const FT_Byte *) text_font_data, (FT_Long) len, 0,
                          &text_face) != 0 ||
      FT_Get_Char_Index (text_face, 0x65E5) == 0) { /* 日: a Japanese font */
    g_clear_pointer (&text_font_data, g_free);
    return FALSE;
  }
  text_font = cairo_ft_font_face_create_for_ft_face (text_face, 0);
  return cairo_font_face_status (text_font) == CAIRO_STATUS_SUCCESS;
}

gboolean
mg_pdf_text_available (void)
{
  return text_font != NULL;
}

char *
mg_pdf_text_key (PopplerPage *page)
{
  g_autofree char *raw = poppler_page_get_text (page);
  /* compatibility forms folded (NFKC): a ligature glyph that cairo's map
   * gives as U+FB01 is the "fi" poppler reads from the input */
  g_autofree char *folded = raw != NULL ? g_utf8_normalize (raw, -1, G_NORMALIZE_ALL_COMPOSE)
                                        : NULL;
  const char *text = folded != NULL ? folded : raw;
  GString *key = g_string_new (NULL);

  for (const char *p = text != NULL ? text : ""; *p != '\0'; p = g_utf8_next_char (p)) {
    gunichar c = g_utf8_get_char_validated (p, -1);
    if (c == (gunichar) -1 || c == (gunichar) -2)
      break;
    if (!g_unichar_isspace (c))
      g_string_append_unichar (key, c);
  }
  return g_string_free (key, FALSE);
}

gboolean
mg_pdf_text_lacks (const char *in_key, const char *out_key)
{
  g_autoptr (GHashTable) counts = g_hash_table_new (NULL, NULL);

  if (g_str_equal (in_key, out_key))
    return FALSE;
  for (const char *p = out_key; *p != '\0'; p = g_utf8_next_char (p)) {
    gpointer c = GUINT_TO_POINTER (g_utf8_get_char (p));
    g_hash_table_insert (
        counts, c, GUINT_TO_POINTER (GPOINTER_TO_UINT (g_hash_table_lookup (counts, c)) + 1));
  }
  for (const char *p = in_key; *p != '\0'; p = g_utf8_next_char (p)) {
    gpointer c = GUINT_TO_POINTER (g_utf8_get_char (p));
    guint n = GPOINTER_TO_UINT (g_hash_table_lookup (counts, c));
    if (n == 0)
      return TRUE;
    g_hash_table_insert (counts, c, GUINT_TO_POINTER (n - 1));
  }
  return FALSE;
}

/* Advance of glyph GID at size 1, in the font's em. */
static double
glyph_advance (FT_UInt gid)
{
  if (FT_Load_Glyph (text_face, gid, FT_LOAD_NO_SCALE) != 0 || text_face->units_per_EM == 0)
    return 0;
  return (double) text_face->glyph->metrics.horiAdvance / text_face->units_per_EM;
}

/* Draw character C (UTF-8 at P, LEN bytes) over box R. A box poppler gives
 * reversed is taken by its extent; one of no width (a zero-width
 * character: a zero width space, a soft hyphen, a combining mark) gets a
 * sliver of its height, so that its text is kept too (it was skipped). */
static void
layer_char (cairo_t *cr, gunichar c, const char *p, int len, const PopplerRectangle *r)
{
  double w = fabs (r->x2 - r->x1), h = fabs (r->y2 - r->y1);
  FT_UInt gid = FT_Get_Char_Index (text_face, c);
  double advance = glyph_advance (gid);
  double descent = text_face->units_per_EM > 0
                       ? -(double) text_face->descender / text_face->units_per_EM
                       : 0.12;
  cairo_matrix_t size;
  cairo_text_cluster_t cluster = { .num_bytes = len, .num_glyphs = 1 };

  if (!(h > 0 && h < 1e5 && w < 1e5))
    return;
  w = MAX (w, h * MG_PDF_TEXT_SLIVER);
  cairo_glyph_t glyph = { .index = gid,
                          .x = MIN (r->x1, r->x2),
                          .y = MAX (r->y1, r->y2) - descent * h };
  cairo_matrix_init_scale (&size, advance > 0 ? w / advance : h, h);
  cairo_set_font_matrix (cr, &size);
  cairo_show_text_glyphs (cr, p, len, &glyph, 1, &cluster, 1, 0);
}

guint
mg_pdf_text_layer (PopplerPage *page, cairo_t *cr)
{
  g_autofree char *text = poppler_page_get_text (page);
  PopplerRectangle *rects = NULL;
  guint n = 0, drawn = 0;

  if (text_font == NULL || text == NULL || !poppler_page_get_text_layout (page, &rects, &n))
    return 0;
  cairo_save (cr);
  cairo_set_font_face (cr, text_font);
  cairo_set_source_rgb (cr, MG_PDF_TEXT_MARKER_R, MG_PDF_TEXT_MARKER_G, MG_PDF_TEXT_MARKER_B);
  const char *p = text;
  for (guint i = 0; i < n && *p != '\0'; i++) {
    gunichar c = g_utf8_get_char_validated (p, -1);
    if (c == (gunichar) -1 || c == (gunichar) -2)
      break;
    const char *next = g_utf8_next_char (p);
    if (!g_unichar_isspace (c) && c != 0xFFFD) {
      layer_char (cr, c, p, (int) (next - p), &rects[i]);
      drawn++;
    }
    p = next;
  }
  cairo_restore (cr);
  g_free (rects);
  return drawn;
}
