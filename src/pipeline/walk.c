/* walk.c - from a GMime tree to body text and attachment decisions. */
#include "pipeline/walk.h"

#include <string.h>

#include "filters/html.h"
#include "filters/text.h"
#include "mime/charset.h"
#include "common/msg.h"
#include "pipeline/ambiguity.h"
#include "pipeline/classify.h"
#include "pipeline/content.h"
#include "mime/embedded.h"
#include "pipeline/headers.h"
#include "pipeline/parse.h"
#include "pipeline/policy.h"

typedef struct {
  MgJob *job;
  GPtrArray *stack; /* boundaries of the ancestors (borrowed) */
  GPtrArray *all;   /* every boundary seen (owned copies) */
  guint scan_only;  /* leaves only scanned (past a limit), MG_WALK_SCAN_ONLY_MAX */
} MgWalk;

/* Leaves scanned for viruses after a limit stopped the walk (each one a
 * libclamav call), and how deep that scan follows the tree. */
#define MG_WALK_SCAN_ONLY_MAX 10000
#define MG_WALK_SCAN_ONLY_DEPTH 1000

static void walk_object (MgWalk *w, GMimeObject *object, const char *path, int depth,
                         GString *text);

char *
mg_walk_child_path (const char *path, int index)
{
  return *path == '\0' ? g_strdup_printf ("%d", index + 1)
                       : g_strdup_printf ("%s.%d", path, index + 1);
}

static gboolean
within_limits (MgWalk *w, int depth)
{
  const MgLimits *limits = &w->job->config->limits;

  if (w->job->withhold == MG_REASON_LIMIT)
    return FALSE;
  if (++w->job->part_count > limits->parts) {
    mg_job_withhold (w->job, MG_REASON_LIMIT, "more than %" G_GINT64_FORMAT " MIME parts",
                     limits->parts);
    return FALSE;
  }
  if (depth > limits->depth) {
    mg_job_withhold (w->job, MG_REASON_LIMIT, "MIME nesting deeper than %" G_GINT64_FORMAT,
                     limits->depth);
    return FALSE;
  }
  return TRUE;
}

static void
append_text (MgJob *job, GString *text, const char *add)
{
  gint64 room = job->config->limits.text_size - (gint64) text->len;

  if (*add == '\0' || room <= 0)
    return;
  if (text->len > 0 && text->str[text->len - 1] != '\n')
    g_string_append_c (text, '\n');
  if ((gint64) strlen (add) > room) {
    const char *end = g_utf8_find_prev_char (add, add + room);
    g_string_append_len (text, add, end != NULL ? end - add : 0);
    g_string_append (text, "\n[...]\n");
    return;
  }
  g_string_append (text, add);
}

/* uuencode, yEnc and BinHex blocks cut out of a text become attachments. */
static void
add_embedded_blocks (MgWalk *w, GPtrArray *blocks, const char *path)
{
  for (guint i = 0; i < blocks->len; i++) {
    MgEmbeddedBlock *b = g_ptr_array_index (blocks, i);
    g_autofree char *bpath = g_strdup_printf ("%s#%s%u", path, b->kind, i + 1);
    MgPart *part = mg_job_add_part (w->job, bpath);
    part->filename = g_strdup (b->filename);
    part->declared_type = g_strdup_printf ("application/x-%s", b->kind);
    if (b->data != NULL) {
      mg_policy_attachment (w->job, part, b->data, NULL);
    } else {
      part->detected_type = g_strdup ("application/octet-stream");
      mg_part_set_outcome (part, MG_ACTION_REMOVED, MG_REASON_BAD_ENCODING,
                           "embedded block did not decode");
    }
  }
}

static gboolean
text_like (const char *detected)
{
  return g_str_has_prefix (detected, "text/") || g_str_equal (detected, "application/x-empty");
}

static char *
strip_nul (GBytes *data, gsize *len_r)
{
  gsize len;
  const char *p = g_bytes_get_data (data, &len);
  char *out = g_malloc (len + 1);
  gsize n = 0;

  for (gsize i = 0; i < len; i++)
    if (p[i] != '\0')
      out[n++] = p[i];
  out[n] = '\0';
  *len_r = n;
  return out;
}

/* 7-bit text with the escapes of ISO-2022-JP (ESC, SO, SI) is text even
 * where libmagic calls it data. */
static gboolean
seven_bit_text (const char *data, gsize len)
{
  for (gsize i = 0; i < len; i++) {
    guchar c = (guchar) data[i];
    if (c >= 0x80 || (c < 0x20 && strchr ("\t\n\r\f\x1b\x0e\x0f", c) == NULL))
      return FALSE;
  }
  return TRUE;
}

/* UTF-8 text is text by its bytes as 7-bit text is: valid UTF-8 with no
 * control character but tab, line ends, form feed and ESC (no SO, SI, DEL
 * or C1 control, which libmagic takes for data). Like 7-bit text it goes
 * into the body as text whatever else libmagic might see in it (a "%PDF-"
 * line), and is scanned there; the ~1 ms of libmagic's tests is left for
 * other charsets and for binary data. */
static gboolean
utf8_text (const char *data, gsize len)
{
  const char *end = data + len;

  if (!g_utf8_validate_len (data, len, NULL))
    return FALSE;
  for (const char *p = data; p < end; p = g_utf8_next_char (p)) {
    gunichar c = g_utf8_get_char (p);
    if (c == 0 || (c < 0x20 && strchr ("\t\n\r\f\x1b", (int) c) == NULL) ||
        (c >= 0x7f && c < 0xa0))
      return FALSE;
  }
  return TRUE;
}

/* Is this inline leaf really text a client would display? By its bytes.
 * *TYPE_R gets libmagic's type when it was asked (else NULL). */
static gboolean
bytes_are_text (const char *data, gsize len, char **type_r)
{
  *type_r = NULL;
  if (seven_bit_text (data, len) || utf8_text (data, len))
    return TRUE;
  *type_r = mg_classify_bytes (data, len);
  return text_like (*type_r);
}

static gboolean base64_run_inert (GBytes *decoded, gpointer ctx);

/* The text of an inline part goes into the body. HTML is made text first, and
 * base64 runs its text shows (in <pre>, or a line per <br> or <div>) are cut
 * into BLOCKS as in plain text. */
static void
add_body_text (MgWalk *w, const MgContent *c, const char *data, const char *path,
               GPtrArray *blocks, GString *text)
{
  g_autofree char *decoded = NULL;
  gsize len = strlen (data);

  if (g_str_equal (c->declared_type, "text/html")) {
    g_autofree char *html_text = mg_html_to_text (data, len, c->charset);
    decoded = mg_embedded_extract_base64 (html_text, blocks, base64_run_inert, w);
    w->job->html_converted = TRUE;
  } else {
    decoded = mg_text_decode (data, len, c->charset, NULL);
  }
  if (strstr (decoded, "-----BEGIN PGP MESSAGE-----") != NULL)
    mg_job_withhold (w->job, MG_REASON_ENCRYPTED, "inline PGP message in part %s", path);
  append_text (w->job, text, decoded);
}

static gboolean
is_inline_text (const MgContent *c)
{
  gboolean textual = g_str_equal (c->declared_type, "text/plain") ||
                     g_str_equal (c->declared_type, "text/html");
  return textual && c->filename == NULL && !c->attachment;
}

static void flatten_message (MgWalk *w, GMimeMessage *inner, const char *path, int depth,
                             GString *text, MgPart *part);

/* An attachment whose bytes are a message: parse it and flatten it. */
static gboolean
try_flatten_bytes (MgWalk *w, MgPart *part, GBytes *data, const char *path, int depth,
                   GString *text)
{
  g_autoptr (GMimeMessage) inner = NULL;

  if (!g_str_equal (part->detected_type, "message/rfc822"))
    return FALSE;
  inner = mg_parse_attached (w->job, data);
  if (inner == NULL)
    return FALSE;
  flatten_message (w, inner, path, depth, text, part);
  return TRUE;
}

/* --- leaves past a limit: scanned, nothing else ------------------------- */

static void scan_only_object (MgWalk *w, GMimeObject *object, const char *path, int depth);

/* A virus in DATA makes a withheld part of its own at PATH. */
static void
scan_only_bytes (MgWalk *w, GBytes *data, const char *path, const char *filename)
{
  gsize len;
  const void *bytes = g_bytes_get_data (data, &len);
  g_autofree char *virus = NULL;
  MgPart *part;

  if (w->job->engine == NULL || ++w->scan_only > MG_WALK_SCAN_ONLY_MAX ||
      mg_job_scan (w->job, bytes, len, &virus) != MG_SCAN_VIRUS)
    return;
  part = mg_job_add_part (w->job, path);
  part->filename = g_strdup (filename);
  part->detected_type = mg_classify_bytes (bytes, len);
  part->sha256 = mg_job_sha256 (data);
  mg_part_set_outcome (part, MG_ACTION_WITHHELD, MG_REASON_VIRUS, virus);
  mg_job_add_virus (w->job, virus);
  mg_job_withhold (w->job, MG_REASON_VIRUS, "virus %s in part %s", virus, path);
}

/* The bytes of a message/partial fragment read as the message they begin. */
static void
scan_only_partial (MgWalk *w, GBytes *data, const char *path, int depth)
{
  g_autoptr (GMimeMessage) inner = mg_parse_attached (w->job, data);
  GMimeObject *body = inner != NULL ? g_mime_message_get_mime_part (inner) : NULL;

  if (body != NULL)
    scan_only_object (w, body, path, depth + 1);
}

static void
scan_only_leaf (MgWalk *w, GMimePart *leaf, const char *path, int depth)
{
  g_autoptr (MgContent) c = mg_content_read (w->job, leaf);

  scan_only_bytes (w, c->data, path, c->filename);
  if (g_str_equal (c->declared_type, "message/partial"))
    scan_only_partial (w, c->data, path, depth);
}

/* Every leaf under OBJECT that the parser reached is scanned, so that a
 * message withheld for its structure still names the virus it holds. */
static void
scan_only_object (MgWalk *w, GMimeObject *object, const char *path, int depth)
{
  if (depth > MG_WALK_SCAN_ONLY_DEPTH || w->scan_only > MG_WALK_SCAN_ONLY_MAX)
    return;
  if (GMIME_IS_MULTIPART (object)) {
    GMimeMultipart *mp = GMIME_MULTIPART (object);
    for (int i = 0; i < g_mime_multipart_get_count (mp); i++) {
      g_autofree char *cpath = mg_walk_child_path (path, i);
      scan_only_object (w, g_mime_multipart_get_part (mp, i), cpath, depth + 1);
    }
  } else if (GMIME_IS_MESSAGE_PART (object)) {
    GMimeMessage *inner = g_mime_message_part_get_message (GMIME_MESSAGE_PART (object));
    GMimeObject *body = inner != NULL ? g_mime_message_get_mime_part (inner) : NULL;
    if (body != NULL)
      scan_only_object (w, body, path, depth + 1);
  } else if (GMIME_IS_PART (object)) {
    scan_only_leaf (w, GMIME_PART (object), *path ? path : "1", depth);
  }
}

static gboolean
special_type (MgWalk *w, const MgContent *c, MgPart *part, int depth)
{
  const char *t = c->declared_type;

  if (g_str_equal (t, "message/partial")) {
    scan_only_partial (w, c->data, part->path, depth);
    if (!mg_policy_scan (w->job, part, c->data))
      return TRUE;
    mg_part_set_outcome (part, MG_ACTION_WITHHELD, MG_REASON_PARTIAL, NULL);
    mg_job_withhold (w->job, MG_REASON_PARTIAL, "message/partial in part %s", part->path);
  } else if (g_str_equal (t, "message/external-body")) {
    mg_part_set_outcome (part, MG_ACTION_REMOVED, MG_REASON_EXTERNAL_BODY, NULL);
  } else if (strstr (t, "pkcs7-mime") != NULL ||
             g_str_equal (t, "application/pgp-encrypted")) {
    mg_part_set_outcome (part, MG_ACTION_WITHHELD, MG_REASON_ENCRYPTED, t);
    mg_job_withhold (w->job, MG_REASON_ENCRYPTED, "encrypted part %s (%s)", part->path, t);
  } else if (strstr (t, "pkcs7-signature") != NULL ||
             g_str_equal (t, "application/pgp-signature")) {
    mg_part_set_outcome (part, MG_ACTION_REMOVED, MG_REASON_SIGNATURE_DROPPED, NULL);
  } else {
    return FALSE;
  }
  return TRUE;
}

/* DETECTED: libmagic's type of exactly C->data when already known, or NULL. */
static void
walk_attachment (MgWalk *w, MgContent *c, const char *path, int depth, GString *text,
                 const char *detected)
{
  MgPart *part = mg_job_add_part (w->job, path);

  part->filename = g_strdup (c->filename);
  part->declared_type = g_strdup (c->declared_type);
  if (special_type (w, c, part, depth))
    return;
  if (c->status != MG_CONTENT_OK) {
    part->sha256 = mg_job_sha256 (c->data);
    part->detected_type = g_strdup ("application/octet-stream");
    if (mg_policy_scan (w->job, part, c->data))
      mg_part_set_outcome (part, MG_ACTION_REMOVED, MG_REASON_BAD_ENCODING,
                           c->status == MG_CONTENT_INVALID ? "invalid base64"
                                                           : "unknown transfer encoding");
    return;
  }
  part->detected_type = g_strdup (detected);
  mg_policy_attachment (w->job, part, c->data, c->charset);
  if (part->action == MG_ACTION_WITHHELD)
    return;
  try_flatten_bytes (w, part, c->data, path, depth, text);
}

/* Body text is scanned like an attachment; it is listed in the report only
 * when the scan stops it. */
static gboolean
body_scan_clean (MgWalk *w, MgContent *c, const char *path)
{
  MgPart *part = mg_job_add_part (w->job, path);

  part->declared_type = g_strdup (c->declared_type);
  part->detected_type = g_strdup ("text/plain");
  part->sha256 = mg_job_sha256 (c->data);
  if (!mg_policy_scan (w->job, part, c->data))
    return FALSE;
  g_ptr_array_remove_index (w->job->parts, w->job->parts->len - 1);
  return TRUE;
}

/* A base64 run that decodes to something a reader could save and open (a
 * program, an archive, a document, an image, a script, RTF or HTML) or to a
 * virus leaves the text and becomes a part; keys, signatures, hashes and
 * plain text stay. */
static gboolean
base64_run_inert (GBytes *decoded, gpointer ctx)
{
  MgWalk *w = ctx;
  gsize len;
  const char *data = g_bytes_get_data (decoded, &len);
  g_autofree char *type = mg_classify_bytes (data, len);
  g_autofree char *virus = NULL;

  if (!g_str_equal (type, "text/plain") && !g_str_equal (type, "application/octet-stream") &&
      !g_str_has_prefix (type, "application/pgp") && strstr (type, "x509") == NULL &&
      !g_str_has_prefix (type, "application/pkcs") &&
      !g_str_has_prefix (type, "application/pkix"))
    return FALSE;
  return w->job->engine == NULL || mg_job_scan (w->job, data, len, &virus) != MG_SCAN_VIRUS;
}

/* The UTF-16 byte order of text DATA: by its mark, else by its declared
 * CHARSET ("utf-16" read by where its NULs fall, as readers guess), else by
 * NULs in every other byte of ASCII-range text; NULL for other text. */
static const char *
utf16_order (const char *data, gsize len, const char *charset)
{
  gsize nul_even = 0, nul_odd = 0;
  const guchar *u = (const guchar *) data;

  if (len >= 2 && u[0] == 0xFF && u[1] == 0xFE)
    return "UTF-16LE";
  if (len >= 2 && u[0] == 0xFE && u[1] == 0xFF)
    return "UTF-16BE";
  if (charset != NULL && (g_ascii_strcasecmp (charset, "utf-16le") == 0 ||
                          g_ascii_strcasecmp (charset, "utf-16be") == 0))
    return g_ascii_strcasecmp (charset, "utf-16le") == 0 ? "UTF-16LE" : "UTF-16BE";
  for (gsize i = 0; i + 1 < len; i += 2) {
    nul_even += u[i] == 0;
    nul_odd += u[i + 1] == 0;
  }
  if (len < 4 || len % 2 != 0)
    return NULL;
  gboolean declared = charset != NULL && (g_ascii_strcasecmp (charset, "utf-16") == 0 ||
                                          g_ascii_strcasecmp (charset, "ucs-2") == 0);
  gsize half = len / 2, need = declared ? 1 : half * 9 / 10;
  if (nul_odd >= need && nul_odd > nul_even)
    return "UTF-16LE";
  if (nul_even >= need && nul_even > nul_odd)
    return "UTF-16BE";
  return declared ? "UTF-16BE" : NULL; /* RFC 2781: big-endian without a mark */
}

/* UTF-16 text is NULs and bytes until decoded: made UTF-8 before anything
 * reads it as 8-bit text (a BOM dropped). */
static void
utf16_to_utf8 (MgContent *c)
{
  gsize len, written = 0;
  const char *data = g_bytes_get_data (c->data, &len);
  const char *order = data != NULL ? utf16_order (data, len, c->charset) : NULL;
  g_autofree char *utf8 = NULL;

  if (order == NULL)
    return;
  utf8 = g_convert_with_fallback (data, (gssize) (len - len % 2), "UTF-8", order,
                                  "\xef\xbf\xbd", NULL, &written, NULL);
  if (utf8 == NULL)
    return;
  if (written >= 3 && memcmp (utf8, "\xef\xbb\xbf", 3) == 0) {
    memmove (utf8, utf8 + 3, written - 3);
    written -= 3;
  }
  g_bytes_unref (c->data);
  c->data = g_bytes_new_take (g_steal_pointer (&utf8), written);
  g_free (c->charset);
  c->charset = g_strdup ("utf-8");
}

/* Inline text: encoded blocks are cut from the bytes first (yEnc is 8-bit and
 * BinHex makes libmagic name the whole part), then what remains must be text
 * by its bytes, or the part is handled as an attachment. */
static void
walk_inline_text (MgWalk *w, MgContent *c, const char *path, int depth, GString *text)
{
  g_autoptr (GPtrArray)
      blocks = g_ptr_array_new_with_free_func ((GDestroyNotify) mg_embedded_block_free);
  gsize len;
  g_autofree char *bytes = NULL;

  utf16_to_utf8 (c);
  bytes = strip_nul (c->data, &len);
  g_autofree char *rest = mg_embedded_extract_base64 (bytes, blocks, base64_run_inert, w);
  g_autofree char *type = NULL;
  gsize rest_len = strlen (rest);

  if (!bytes_are_text (rest, rest_len, &type)) {
    gsize data_len;
    const char *data = g_bytes_get_data (c->data, &data_len);
    gboolean same = rest_len == data_len && memcmp (rest, data, data_len) == 0;
    walk_attachment (w, c, path, depth, text, same ? type : NULL);
    return;
  }
  if (!body_scan_clean (w, c, path))
    return;
  add_body_text (w, c, rest, path, blocks, text);
  add_embedded_blocks (w, blocks, path);
}

static void
walk_leaf (MgWalk *w, GMimePart *leaf, const char *path, int depth, GString *text)
{
  g_autoptr (MgContent) c = mg_content_read (w->job, leaf);

  if (is_inline_text (c) && c->status == MG_CONTENT_OK)
    walk_inline_text (w, c, path, depth, text);
  else
    walk_attachment (w, c, path, depth, text, NULL);
}

static void
scan_hidden_bytes (MgWalk *w, const char *data, gsize len, const char *path)
{
  g_autoptr (GBytes) bytes = g_bytes_new (data, len);
  MgPart *part = mg_job_add_part (w->job, path);

  part->declared_type = g_strdup ("text/plain");
  part->detected_type = mg_classify_bytes (data, len);
  part->sha256 = mg_job_sha256 (bytes);
  if (mg_policy_scan (w->job, part, bytes))
    g_ptr_array_remove_index (w->job->parts, w->job->parts->len - 1);
}

static gboolean
base64_line (const char *line)
{
  gsize n = strspn (line,
                    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=\r");
  return n >= 16 && line[n] == '\0';
}

/* A preamble or epilogue is never forwarded, but what hides in it is scanned:
 * the text itself, base64 runs decoded, and encoded blocks. */
static void
scan_text_around (MgWalk *w, const char *extra, const char *path)
{
  g_auto (GStrv) lines = NULL;
  g_autoptr (GString) b64 = g_string_new (NULL);
  g_autoptr (GPtrArray)
      blocks = g_ptr_array_new_with_free_func ((GDestroyNotify) mg_embedded_block_free);
  g_autofree char *rest = NULL;
  guchar *decoded;
  gsize dlen;

  if (extra == NULL || *extra == '\0')
    return;
  scan_hidden_bytes (w, extra, strlen (extra), path);
  lines = g_strsplit (extra, "\n", -1);
  for (char **l = lines; *l != NULL; l++)
    if (base64_line (*l))
      g_string_append (b64, *l);
  decoded = g_base64_decode (b64->str, &dlen);
  if (dlen > 0)
    scan_hidden_bytes (w, (const char *) decoded, dlen, path);
  g_free (decoded);
  rest = mg_embedded_extract (extra, blocks);
  for (guint i = 0; i < blocks->len; i++) {
    MgEmbeddedBlock *block = g_ptr_array_index (blocks, i);
    if (block->data != NULL)
      scan_hidden_bytes (w, g_bytes_get_data (block->data, NULL),
                         g_bytes_get_size (block->data), path);
  }
}

static char *
without_spaces (const char *text)
{
  GString *out = g_string_new (NULL);

  for (const char *p = text; *p != '\0'; p = g_utf8_next_char (p)) {
    gunichar c = g_utf8_get_char (p);
    if (!g_unichar_isspace (c)) /* ASCII white space and U+3000 alike */
      g_string_append_unichar (out, c);
  }
  return g_string_free (out, FALSE);
}

/* The text a client displays for multipart/alternative is the last part it
 * understands (the HTML, usually); say so when the plain part differs. */
static gboolean
texts_differ (const char *a, const char *b)
{
  g_autofree char *na = without_spaces (a);
  g_autofree char *nb = without_spaces (b);

  return g_strcmp0 (na, nb) != 0;
}

static void
walk_alternative (MgWalk *w, GMimeMultipart *mp, const char *path, int depth, GString *text)
{
  int n = g_mime_multipart_get_count (mp);
  g_autoptr (GPtrArray) texts = g_ptr_array_new_with_free_func (g_free);
  const char *chosen = NULL;

  for (int i = 0; i < n; i++) {
    g_autofree char *cpath = mg_walk_child_path (path, i);
    GString *t = g_string_new (NULL);
    walk_object (w, g_mime_multipart_get_part (mp, i), cpath, depth + 1, t);
    g_ptr_array_add (texts, g_string_free (t, FALSE));
  }
  for (guint i = 0; i < texts->len; i++)
    if (*(char *) g_ptr_array_index (texts, i) != '\0')
      chosen = g_ptr_array_index (texts, i);
  if (chosen == NULL)
    return;
  for (guint i = 0; i < texts->len; i++) {
    const char *t = g_ptr_array_index (texts, i);
    if (*t != '\0' && t != chosen && texts_differ (t, chosen))
      w->job->alternative_differs = TRUE;
  }
  append_text (w->job, text, chosen);
}

static void
walk_children (MgWalk *w, GMimeMultipart *mp, const char *path, int depth, GString *text)
{
  const char *subtype = g_mime_content_type_get_media_subtype (
      g_mime_object_get_content_type (GMIME_OBJECT (mp)));

  if (g_ascii_strcasecmp (subtype, "encrypted") == 0) {
    mg_job_withhold (w->job, MG_REASON_ENCRYPTED, "multipart/encrypted at %s",
                     *path ? path : "top");
  } else if (g_ascii_strcasecmp (subtype, "alternative") == 0) {
    walk_alternative (w, mp, path, depth, text);
  } else { /* signed, mixed, related...: every child in order */
    for (int i = 0; i < g_mime_multipart_get_count (mp); i++) {
      g_autofree char *cpath = mg_walk_child_path (path, i);
      walk_object (w, g_mime_multipart_get_part (mp, i), cpath, depth + 1, text);
    }
  }
}

static void
walk_multipart (MgWalk *w, GMimeMultipart *mp, const char *path, int depth, GString *text)
{
  const char *boundary = g_mime_multipart_get_boundary (mp);

  if (boundary != NULL) {
    g_ptr_array_add (w->all, g_strdup (boundary));
    g_ptr_array_add (w->stack, (gpointer) boundary);
  }
  scan_text_around (w, g_mime_multipart_get_prologue (mp), *path ? path : "preamble");
  scan_text_around (w, g_mime_multipart_get_epilogue (mp), *path ? path : "epilogue");
  walk_children (w, mp, path, depth, text);
  if (boundary != NULL)
    g_ptr_array_remove_index (w->stack, w->stack->len - 1);
}

static void
quote_into (GString *text, const char *inner)
{
  g_auto (GStrv) lines = g_strsplit (inner, "\n", -1);

  for (char **l = lines; *l != NULL; l++) {
    if (l[1] == NULL && **l == '\0')
      break;
    g_string_append (text, **l != '\0' ? "> " : ">");
    g_string_append (text, *l);
    g_string_append_c (text, '\n');
  }
}

static void
append_header_line (GString *block, GMimeMessage *m, const char *name, const char *label)
{
  g_autofree char *value = mg_headers_get_decoded (GMIME_OBJECT (m), name);

  if (value != NULL)
    g_string_append_printf (block, "%s: %s\n", label, value);
}

static void
flatten_message (MgWalk *w, GMimeMessage *inner, const char *path, int depth, GString *text,
                 MgPart *part)
{
  MgLang l = mg_msg_lang (w->job->language);
  g_autoptr (GString) block = g_string_new (NULL);
  GString *inner_text = g_string_new (NULL);
  GMimeObject *body = g_mime_message_get_mime_part (inner);

  mg_part_set_outcome (part, MG_ACTION_CONVERTED, MG_REASON_FLATTENED, NULL);
  g_autofree char *body_path = NULL;

  mg_ambiguity_check_object (w->job, GMIME_OBJECT (inner), w->stack);
  body_path = body != NULL && GMIME_IS_MULTIPART (body) ? g_strdup (path)
                                                        : mg_walk_child_path (path, 0);
  if (body != NULL)
    walk_object (w, body, body_path, depth + 1, inner_text);
  g_string_append (block, mg_msg (MG_MSG_NOTICE_ATTACHED_MESSAGE, l));
  append_header_line (block, inner, "From", mg_msg (MG_MSG_NOTICE_FROM, l));
  append_header_line (block, inner, "Date", mg_msg (MG_MSG_NOTICE_DATE, l));
  append_header_line (block, inner, "Subject", mg_msg (MG_MSG_NOTICE_SUBJECT, l));
  g_string_append (block, ">\n");
  quote_into (block, inner_text->str);
  g_string_free (inner_text, TRUE);
  append_text (w->job, text, block->str);
}

static void
walk_message_part (MgWalk *w, GMimeMessagePart *mpart, const char *path, int depth,
                   GString *text)
{
  GMimeMessage *inner = g_mime_message_part_get_message (mpart);
  MgPart *part = mg_job_add_part (w->job, path);
  g_autoptr (GBytes) bytes = NULL;

  part->declared_type = g_strdup ("message/rfc822");
  part->detected_type = g_strdup ("message/rfc822");
  if (inner == NULL) {
    /* Nothing to show and nothing left out (a bounce cut off after the
     * original's Content-Type): not "removed", which the notice would list. */
    mg_part_set_outcome (part, MG_ACTION_CONVERTED, MG_REASON_FLATTENED,
                         "the attached message is empty");
    return;
  }
  bytes = mg_content_object_bytes (GMIME_OBJECT (inner));
  part->sha256 = mg_job_sha256 (bytes);
  part->filename = mg_headers_get_decoded (GMIME_OBJECT (inner), "Subject");
  flatten_message (w, inner, path, depth, text, part);
}

static void
walk_object (MgWalk *w, GMimeObject *object, const char *path, int depth, GString *text)
{
  if (!within_limits (w, depth)) {
    scan_only_object (w, object, path, depth);
    return;
  }
  mg_ambiguity_check_object (w->job, object, w->stack);
  if (GMIME_IS_MULTIPART (object))
    walk_multipart (w, GMIME_MULTIPART (object), path, depth, text);
  else if (GMIME_IS_MESSAGE_PART (object))
    walk_message_part (w, GMIME_MESSAGE_PART (object), path, depth, text);
  else if (GMIME_IS_PART (object))
    walk_leaf (w, GMIME_PART (object), *path ? path : "1", depth, text);
}

void
mg_walk_message (MgJob *job, GMimeMessage *message, GPtrArray *boundaries)
{
  g_autoptr (GPtrArray) stack = g_ptr_array_new ();
  MgWalk w = { job, stack, boundaries, 0 };
  GMimeObject *body = g_mime_message_get_mime_part (message);

  if (body != NULL)
    walk_object (&w, body, "", 0, job->body);
}
