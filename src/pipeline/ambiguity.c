/* ambiguity.c - structural checks that decide "withhold: ambiguous". */
#include "pipeline/ambiguity.h"

#include <string.h>

#include "mime/mimeword.h"

/* Fields of the delivered header block that clients show or answer to. */
static const char *const shown_fields[] = { "From", "Sender", "Reply-To", "To",
                                            "Cc",   "Bcc",    "Subject",  "Date" };

static gboolean
is_shown_field (const char *item)
{
  for (gsize i = 0; i < G_N_ELEMENTS (shown_fields); i++)
    if (g_ascii_strcasecmp (item, shown_fields[i]) == 0)
      return TRUE;
  return FALSE;
}

/* A field given twice with different values matters where a reader uses it:
 * a MIME field anywhere (it decides what a part is), a field of the header
 * block mugai delivers that clients show (two From fields name two senders).
 * A bounce's attached original with two To fields is shown by no client as
 * headers of this mail; two Message-IDs (a relay's and the sender's, as KDDI
 * writes them) are shown by none either, and mugai delivers only the first. */
static gboolean
conflict_matters (const MgParseScope *scope, gint64 offset, const char *item)
{
  if (item == NULL || g_ascii_strncasecmp (item, "Content-", 8) == 0 ||
      g_ascii_strcasecmp (item, "MIME-Version") == 0)
    return TRUE;
  return (offset < 0 || offset < scope->delivered_end) && is_shown_field (item);
}

static void
withhold_parser (MgJob *job, GMimeParserWarning code, gint64 offset, const char *item)
{
  mg_job_withhold (job, MG_REASON_AMBIGUOUS,
                   "MIME parser: problem %d at offset %" G_GINT64_FORMAT " (%s)", (int) code,
                   offset, item ? item : "");
}

void
mg_ambiguity_parser_warning (gint64 offset, GMimeParserWarning code, const char *item,
                             gpointer data)
{
  const MgParseScope *scope = data;
  MgJob *job = scope->job;

  switch (code) {
  case GMIME_CRIT_INVALID_HEADER_NAME:
    if (offset < scope->delivered_end ||
        !mg_ambiguity_stray_line_harmless (scope->data, scope->len, offset, item))
      withhold_parser (job, code, offset, item);
    break;
  case GMIME_CRIT_CONFLICTING_HEADER:
    if (conflict_matters (scope, offset, item))
      withhold_parser (job, code, offset, item);
    break;
  case GMIME_CRIT_CONFLICTING_PARAMETER:
  case GMIME_CRIT_MULTIPART_WITHOUT_BOUNDARY:
  case GMIME_CRIT_PART_WITHOUT_HEADERS_OR_CONTENT:
    withhold_parser (job, code, offset, item);
    break;
  case GMIME_CRIT_NESTING_OVERFLOW:
    mg_job_withhold (job, MG_REASON_LIMIT, "MIME nesting too deep at offset %" G_GINT64_FORMAT,
                     offset);
    break;
  default:
    break;
  }
}

static gboolean
header_name_valid (const char *name)
{
  if (*name == '\0')
    return FALSE;
  for (const char *p = name; *p != '\0'; p++)
    if ((guchar) *p <= 32 || (guchar) *p >= 127 || *p == ':' || *p == '(' || *p == ')')
      return FALSE;
  return TRUE;
}

static gboolean
value_has_control (const char *raw)
{
  for (const char *p = raw; *p != '\0'; p++)
    if (*p == '\r' && p[1] != '\n')
      return TRUE;
  return FALSE;
}

/* Whether a field with an invalid NAME may be taken for a MIME field by a
 * reader that drops comments and blanks ("Content(x)-Type"). Other invalid
 * names ("([fe80", a folded Received whose continuation lost its indent) are
 * unknown fields to every reader. */
static gboolean
name_may_be_mime (const char *name)
{
  g_autoptr (GString) kept = g_string_new (NULL);
  int depth = 0;

  for (const char *p = name; *p != '\0'; p++) {
    if (*p == '(')
      depth++;
    else if (*p == ')' && depth > 0)
      depth--;
    else if (depth == 0 && (guchar) *p > 32)
      g_string_append_c (kept, g_ascii_tolower (*p));
  }
  return strstr (kept->str, "content") != NULL || strstr (kept->str, "mime") != NULL;
}

/* Count Content-* headers and check each header's name, value and length. */
static void
check_header_list (MgJob *job, GMimeHeaderList *list)
{
  int n = g_mime_header_list_get_count (list);
  int type = 0, cte = 0, disp = 0;

  if (n > job->config->limits.headers)
    mg_job_withhold (job, MG_REASON_LIMIT, "%d header fields (limit %" G_GINT64_FORMAT ")", n,
                     job->config->limits.headers);
  for (int i = 0; i < n; i++) {
    GMimeHeader *h = g_mime_header_list_get_header_at (list, i);
    const char *name = g_mime_header_get_name (h);
    const char *raw = g_mime_header_get_raw_value (h);
    if (!header_name_valid (name) && name_may_be_mime (name))
      mg_job_withhold (job, MG_REASON_AMBIGUOUS, "invalid header name \"%.40s\"", name);
    if (raw != NULL && value_has_control (raw))
      mg_job_withhold (job, MG_REASON_AMBIGUOUS, "bare CR in header %.40s", name);
    if (raw != NULL && (gint64) strlen (raw) > job->config->limits.header_length)
      mg_job_withhold (job, MG_REASON_LIMIT,
                       "header %.40s longer than %" G_GINT64_FORMAT " bytes", name,
                       job->config->limits.header_length);
    type += g_ascii_strcasecmp (name, "Content-Type") == 0;
    cte += g_ascii_strcasecmp (name, "Content-Transfer-Encoding") == 0;
    disp += g_ascii_strcasecmp (name, "Content-Disposition") == 0;
  }
  if (type > 1 || cte > 1 || disp > 1)
    mg_job_withhold (job, MG_REASON_AMBIGUOUS, "duplicate Content-* header");
}

static void
check_field_flags (MgJob *job, const char *what, const MgMimeField *field)
{
  /* name= and name*= that agree (no DUPLICATE) read the same everywhere;
   * stray words without '=' are dropped by every reader. */
  guint flags = field->flags & ~(guint) (MG_FIELD_MIXED_FORMS | MG_FIELD_STRAY);

  if (flags & MG_FIELD_TOO_MANY)
    mg_job_withhold (job, MG_REASON_LIMIT, "too many parameters in %s", what);
  else if (flags != 0)
    mg_job_withhold (job, MG_REASON_AMBIGUOUS, "%s: %s%s%s%s%s", what,
                     field->flags & MG_FIELD_DUPLICATE ? "duplicate parameter " : "",
                     field->flags & MG_FIELD_COMMENT ? "comment " : "",
                     field->flags & MG_FIELD_SYNTAX ? "syntax " : "",
                     field->flags & MG_FIELD_MIXED_FORMS ? "mixed RFC 2231 forms " : "",
                     field->flags & MG_FIELD_BAD_CONTINUATION ? "bad continuation" : "");
}

/* Longest boundary read. RFC 2046 says 70; mail systems write longer ones
 * ("--=_MIMEBOUNDARY_..." of 71) and no client cuts them. */
#define MG_BOUNDARY_MAX 200

/* RFC 2046 bchars, and the token characters outside them that mail systems
 * write ("----=_Active!Hunter_...+0900"): every client matches them as
 * written. Inside quotes, the specials @ ; < > [ ] are plain characters as
 * well (PowerMTA's "report4E747F78@mail22.example.net"); unquoted, a strict
 * reader ends the value there. Quotes, backslashes, controls and 8-bit bytes
 * are read differently by clients. */
static gboolean
boundary_valid (const char *b, gboolean quoted)
{
  gsize len = strlen (b);

  if (len == 0 || len > MG_BOUNDARY_MAX || b[len - 1] == ' ')
    return FALSE;
  for (const char *p = b; *p != '\0'; p++)
    if (!g_ascii_isalnum (*p) && strchr ("'()+_,-./:=? !#$%&*^`{|}~", *p) == NULL &&
        !(quoted && strchr ("@;<>[]", *p) != NULL))
      return FALSE;
  return TRUE;
}

static void
check_boundary (MgJob *job, const MgMimeField *field, GPtrArray *boundaries)
{
  const MgMimeParam *b = mg_mimeword_field_param (field, "boundary");

  if (b == NULL || b->value == NULL) {
    mg_job_withhold (job, MG_REASON_AMBIGUOUS, "multipart without boundary");
    return;
  }
  if (b->extended || b->encoded_word || !boundary_valid (b->raw, b->quoted)) {
    mg_job_withhold (job, MG_REASON_AMBIGUOUS, "boundary empty, encoded or invalid");
    return;
  }
  for (guint i = 0; i < boundaries->len; i++) {
    const char *outer = g_ptr_array_index (boundaries, i);
    if (g_str_has_prefix (b->raw, outer) || g_str_has_prefix (outer, b->raw))
      mg_job_withhold (job, MG_REASON_AMBIGUOUS,
                       "inner boundary equal to, prefix or extension of an outer one");
  }
}

static void
check_content_type (MgJob *job, GMimeObject *object, GPtrArray *boundaries)
{
  const char *raw;
  g_autoptr (MgMimeField) field = NULL;
  GMimeHeaderList *list = g_mime_object_get_header_list (object);
  GMimeHeader *h = g_mime_header_list_get_header (list, "Content-Type");

  if (h == NULL)
    return;
  raw = g_mime_header_get_raw_value (h);
  field = mg_mimeword_parse_field (raw, (guint) job->config->limits.parameters);
  check_field_flags (job, "Content-Type", field);
  if (field->type != NULL && g_str_has_prefix (field->type, "multipart/"))
    check_boundary (job, field, boundaries);
  if (GMIME_IS_MULTIPART (object) &&
      (field->type == NULL || !g_str_has_prefix (field->type, "multipart/")))
    mg_job_withhold (job, MG_REASON_AMBIGUOUS, "multipart read from an invalid type");
}

/* Two names agree when they are equal or differ only before the extension
 * (X6's name="mailheaders-000000002.txt", filename="...022.txt"): a client
 * shows one or the other, and opens both with the same program. */
static gboolean
names_agree (const char *a, const char *b)
{
  const char *ea, *eb;

  if (a == NULL || b == NULL)
    return a == b;
  ea = strrchr (a, '.');
  eb = strrchr (b, '.');
  if (ea == NULL || eb == NULL)
    return g_strcmp0 (a, b) == 0;
  return g_ascii_strcasecmp (ea, eb) == 0 && strpbrk (ea, " \t") == NULL;
}

static void
check_disposition_and_names (MgJob *job, GMimeObject *object)
{
  GMimeHeaderList *list = g_mime_object_get_header_list (object);
  GMimeHeader *cd = g_mime_header_list_get_header (list, "Content-Disposition");
  GMimeHeader *ct = g_mime_header_list_get_header (list, "Content-Type");
  g_autoptr (MgMimeField) disp = NULL;
  g_autoptr (MgMimeField) type = NULL;
  const MgMimeParam *filename, *name;
  guint max = (guint) job->config->limits.parameters;

  if (cd == NULL || ct == NULL)
    return;
  disp = mg_mimeword_parse_field (g_mime_header_get_raw_value (cd), max);
  check_field_flags (job, "Content-Disposition", disp);
  type = mg_mimeword_parse_field (g_mime_header_get_raw_value (ct), max);
  filename = mg_mimeword_field_param (disp, "filename");
  name = mg_mimeword_field_param (type, "name");
  if (filename != NULL && name != NULL && !names_agree (filename->value, name->value))
    mg_job_withhold (job, MG_REASON_AMBIGUOUS, "name and filename disagree");
}

static gboolean
encoding_has_several_tokens (const char *cte)
{
  return strpbrk (cte, ",; \t") != NULL;
}

char *
mg_ambiguity_transfer_encoding (GMimeObject *object)
{
  GMimeHeaderList *list = g_mime_object_get_header_list (object);
  GMimeHeader *h = g_mime_header_list_get_header (list, "Content-Transfer-Encoding");
  char *value;

  if (h == NULL || g_mime_header_get_raw_value (h) == NULL)
    return NULL;
  value = g_ascii_strdown (g_mime_header_get_raw_value (h), -1);
  return g_strstrip (value);
}

void
mg_ambiguity_check_object (MgJob *job, GMimeObject *object, GPtrArray *boundaries)
{
  g_autofree char *cte = NULL;

  check_header_list (job, g_mime_object_get_header_list (object));
  check_content_type (job, object, boundaries);
  check_disposition_and_names (job, object);
  cte = mg_ambiguity_transfer_encoding (object);
  if (cte != NULL && encoding_has_several_tokens (cte))
    mg_job_withhold (job, MG_REASON_AMBIGUOUS, "several transfer encodings \"%.40s\"", cte);
}

/* "--" then a boundary with something around it (quotes, trailing junk):
 * some clients take it for a delimiter, RFC 2046 and GMime do not. */
static gboolean
is_near_delimiter (const char *line, gsize len, GPtrArray *boundaries)
{
  const char *p = line + 2;
  gsize n = len - 2;

  while (n > 0 && (*p == '"' || *p == ' ' || *p == '\t')) {
    p++;
    n--;
  }
  for (guint i = 0; i < boundaries->len; i++) {
    const char *b = g_ptr_array_index (boundaries, i);
    gsize blen = strlen (b);
    if (blen > 0 && n >= blen && memcmp (p, b, blen) == 0)
      return TRUE;
  }
  return FALSE;
}

static gboolean
is_boundary_line (const char *line, gsize len, GPtrArray *boundaries, gboolean *last_r)
{
  if (len < 3 || line[0] != '-' || line[1] != '-')
    return FALSE;
  while (len > 2 && (line[len - 1] == ' ' || line[len - 1] == '\t' || line[len - 1] == '\r'))
    len--;
  for (guint i = 0; i < boundaries->len; i++) {
    const char *b = g_ptr_array_index (boundaries, i);
    gsize blen = strlen (b);
    if (len == blen + 2 && memcmp (line + 2, b, blen) == 0) {
      *last_r = FALSE;
      return TRUE;
    }
    if (len == blen + 4 && memcmp (line + 2, b, blen) == 0 && line[len - 1] == '-' &&
        line[len - 2] == '-') {
      *last_r = TRUE;
      return TRUE;
    }
  }
  return FALSE;
}

/* One line of a header block: the problems that make clients disagree. */
static gboolean
check_header_line (MgJob *job, const char *line, gsize len)
{
  gsize blank = 0;

  if (memchr (line, '\0', len) != NULL) {
    mg_job_withhold (job, MG_REASON_AMBIGUOUS, "NUL byte in a header");
    return FALSE;
  }
  for (gsize i = 0; i + 1 < len; i++)
    if (line[i] == '\r') {
      mg_job_withhold (job, MG_REASON_AMBIGUOUS, "bare CR in a header");
      return FALSE;
    }
  while (blank < len && (line[blank] == ' ' || line[blank] == '\t' || line[blank] == '\r'))
    blank++;
  if (blank == len && len > 0 && !(len == 1 && line[0] == '\r')) {
    mg_job_withhold (job, MG_REASON_AMBIGUOUS, "blank-looking header separator");
    return FALSE;
  }
  return TRUE;
}

void
mg_ambiguity_check_raw (MgJob *job, GBytes *raw, GPtrArray *boundaries)
{
  gsize size;
  const char *data = g_bytes_get_data (raw, &size);
  const char *end = data + size;
  gboolean in_header = TRUE, last = FALSE;

  for (const char *line = data; line < end;) {
    const char *nl = memchr (line, '\n', (gsize) (end - line));
    gsize len = (gsize) ((nl != NULL ? nl : end) - line);
    gboolean empty = len == 0 || (len == 1 && line[0] == '\r');
    if (in_header && empty)
      in_header = FALSE;
    else if (in_header && !check_header_line (job, line, len))
      return;
    else if (!in_header && is_boundary_line (line, len, boundaries, &last))
      in_header = !last;
    else if (!in_header && len > 2 && line[0] == '-' && line[1] == '-' &&
             is_near_delimiter (line, len, boundaries)) {
      mg_job_withhold (job, MG_REASON_AMBIGUOUS,
                       "a line that looks like a boundary delimiter but is not one");
      return;
    }
    line += len + 1;
  }
}
