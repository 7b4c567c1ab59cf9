/* worker_check.c - what the front checks of a worker's mail result.
 *
 * The worker is the process the design distrusts, and the front must not
 * parse the original (that is the worker's job). What it can check without
 * parsing the original is that the worker's output agrees with the worker's
 * own report, and that the output is in the form only the assembler writes:
 *
 * - the output's X-Mugai field names the verdict and the result's id, and
 *   the report is one JSON object whose "id" is that id;
 * - every base64 block of the output (a line "Content-Transfer-Encoding:
 *   base64", the rest of that header, then base64 lines), decoded, must not
 *   have the SHA-256 of a part the report says was removed or withheld: an
 *   original attachment the front was told is gone cannot come back, neither
 *   re-encoded in the sanitised structure nor in an appended copy of the
 *   original;
 * - an attachment block (its header has Content-Disposition: attachment) must
 *   have the output_sha256 of a part the report says was kept or converted,
 *   and a withheld output has no attachment at all.
 *
 * A worker that lies in both its report and its output in the same way is
 * not caught here: that is what its sandbox is for. Bounded by the output's
 * size (one pass, each block decoded once).
 */
#include "worker/worker_check.h"

#include "common/report_fields.h"

#include <json-glib/json-glib.h>
#include <string.h>

#define MG_CHECK_EMPTY_SHA256                                                                 \
  "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

typedef struct {
  GHashTable *removed; /* sha256 of parts removed or withheld */
  GHashTable *allowed; /* output_sha256 of parts kept or converted */
} MgCheckParts;

static gboolean
refuse (GError **error, const char *why)
{
  g_set_error (error, MG_WORKER_CHECK_ERROR, MG_WORKER_CHECK_ERROR_REFUSED, "%s", why);
  return FALSE;
}

static void
add_part (MgCheckParts *parts, JsonObject *part)
{
  const char *action = json_object_get_string_member_with_default (part, MG_REPORT_PART_ACTION,
                                                                   "");
  const char *sha = json_object_get_string_member_with_default (part, MG_REPORT_PART_SHA256,
                                                                NULL);
  const char *out = json_object_get_string_member_with_default (
      part, MG_REPORT_PART_OUTPUT_SHA256, NULL);

  if ((g_str_equal (action, "removed") || g_str_equal (action, "withheld")) && sha != NULL &&
      !g_str_equal (sha, MG_CHECK_EMPTY_SHA256))
    g_hash_table_add (parts->removed, g_strdup (sha));
  if ((g_str_equal (action, "kept") || g_str_equal (action, "converted")) && out != NULL)
    g_hash_table_add (parts->allowed, g_strdup (out));
}

/* The report's parts, when it is one JSON object with the id ID. */
static gboolean
read_report (const char *report_json, const char *id, MgCheckParts *parts, GError **error)
{
  g_autoptr (JsonParser) parser = json_parser_new ();
  JsonNode *root;
  JsonObject *object;
  JsonNode *node;
  JsonArray *list = NULL;

  if (!json_parser_load_from_data (parser, report_json, -1, NULL) ||
      (root = json_parser_get_root (parser)) == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    return refuse (error, "the report is not a JSON object");
  object = json_node_get_object (root);
  if (g_strcmp0 (json_object_get_string_member_with_default (object, MG_REPORT_ID, NULL),
                 id) != 0)
    return refuse (error, "the report has another id");
  node = json_object_get_member (object, MG_REPORT_PARTS);
  if (node != NULL && !JSON_NODE_HOLDS_ARRAY (node))
    return refuse (error, "the report's parts are not a list");
  if (node != NULL)
    list = json_node_get_array (node);
  for (guint i = 0; list != NULL && i < json_array_get_length (list); i++) {
    JsonNode *part = json_array_get_element (list, i);
    if (!JSON_NODE_HOLDS_OBJECT (part))
      return refuse (error, "a part of the report is not an object");
    add_part (parts, json_node_get_object (part));
  }
  return TRUE;
}

typedef struct {
  const char *p;
  const char *end;
} MgCursor;

/* The next line (without its LF or CR LF); FALSE at the end. */
static gboolean
next_line (MgCursor *c, const char **line_r, gsize *len_r)
{
  const char *nl;

  if (c->p >= c->end)
    return FALSE;
  nl = memchr (c->p, '\n', (gsize) (c->end - c->p));
  *line_r = c->p;
  *len_r = (gsize) ((nl != NULL ? nl : c->end) - c->p);
  c->p = nl != NULL ? nl + 1 : c->end;
  if (*len_r > 0 && (*line_r)[*len_r - 1] == '\r')
    (*len_r)--;
  return TRUE;
}

static gboolean
line_starts (const char *line, gsize len, const char *prefix)
{
  gsize n = strlen (prefix);

  return len >= n && g_ascii_strncasecmp (line, prefix, n) == 0;
}

static gboolean
is_base64_line (const char *line, gsize len)
{
  if (len == 0)
    return FALSE;
  for (gsize i = 0; i < len; i++)
    if (!g_ascii_isalnum (line[i]) && line[i] != '+' && line[i] != '/' && line[i] != '=')
      return FALSE;
  return TRUE;
}

static gboolean
is_attachment_line (const char *line, gsize len)
{
  return line_starts (line, len, "content-disposition:") &&
         g_strstr_len (line, (gssize) len, "attachment") != NULL;
}

/* From just after a base64 Content-Transfer-Encoding line: the rest of the
 * header (noting an attachment disposition), then the decoded block. */
static GBytes *
decode_block (MgCursor *c, gboolean *attachment_r)
{
  g_autoptr (GByteArray) out = g_byte_array_new ();
  const char *line;
  gsize len;
  gint state = 0;
  guint save = 0;

  while (next_line (c, &line, &len) && len > 0)
    *attachment_r |= is_attachment_line (line, len);
  for (MgCursor peek = *c; next_line (&peek, &line, &len) && is_base64_line (line, len);
       *c = peek) {
    gsize at = out->len;
    g_byte_array_set_size (out, (guint) (at + len / 4 * 3 + 3));
    out->len = (guint) (at + g_base64_decode_step (line, len, out->data + at, &state, &save));
  }
  return g_byte_array_free_to_bytes (g_steal_pointer (&out));
}

static gboolean
check_block (const MgCheckParts *parts, GBytes *block, gboolean attachment, gboolean withheld,
             GError **error)
{
  g_autofree char *sha = g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, block);

  if (g_hash_table_contains (parts->removed, sha))
    return refuse (error, "the output carries a part the report says was removed");
  if (attachment && withheld)
    return refuse (error, "a withheld output carries an attachment");
  if (attachment && !g_hash_table_contains (parts->allowed, sha))
    return refuse (error, "the output carries an attachment the report does not list");
  return TRUE;
}

static gboolean
check_blocks (const MgCheckParts *parts, GBytes *output, gboolean withheld, GError **error)
{
  gsize size;
  const char *data = g_bytes_get_data (output, &size);
  MgCursor c = { data, data + size };
  const char *line;
  gsize len;
  gboolean attachment = FALSE; /* in the current header block */

  while (next_line (&c, &line, &len)) {
    g_autofree char *value = NULL;
    g_autoptr (GBytes) block = NULL;
    if (len == 0 || line[0] == '-')
      attachment = FALSE; /* a header block ends, or a boundary starts one */
    attachment |= is_attachment_line (line, len);
    if (!line_starts (line, len, "content-transfer-encoding:"))
      continue;
    value = g_strstrip (g_strndup (line + 26, len - 26));
    if (g_ascii_strcasecmp (value, "base64") != 0)
      continue;
    block = decode_block (&c, &attachment);
    if (!check_block (parts, block, attachment, withheld, error))
      return FALSE;
    attachment = FALSE;
  }
  return TRUE;
}

/* The output's own X-Mugai field (in its first header block) must be
 * "VERDICT; id=ID". */
static gboolean
check_marker (GBytes *output, const char *verdict, const char *id, GError **error)
{
  gsize size;
  const char *data = g_bytes_get_data (output, &size);
  MgCursor c = { data, data + size };
  g_autofree char *expected = g_strdup_printf ("X-Mugai: %s; id=%s", verdict, id);
  const char *line;
  gsize len;

  while (next_line (&c, &line, &len) && len > 0)
    if (len == strlen (expected) && memcmp (line, expected, len) == 0)
      return TRUE;
  return refuse (error, "the output is not marked with the result's verdict and id");
}

gboolean
mg_worker_check_mail (const char *id, MgVerdict verdict, const char *report_json,
                      GBytes *output, GError **error)
{
  MgCheckParts parts = { g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL),
                         g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL) };
  gboolean withheld = verdict == MG_VERDICT_WITHHELD;
  gboolean ok = read_report (report_json, id, &parts, error) &&
                check_marker (output, mg_verdict_name (verdict), id, error) &&
                check_blocks (&parts, output, withheld, error);

  g_hash_table_unref (parts.removed);
  g_hash_table_unref (parts.allowed);
  return ok;
}

/* G_DEFINE_QUARK makes a string of its first argument: */
/* clang-format off */
G_DEFINE_QUARK (mg-worker-check-error-quark, mg_worker_check_error)
/* clang-format on */
