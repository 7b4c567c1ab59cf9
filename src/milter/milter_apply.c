/* milter_apply.c - header and body replacement through libmilter's calls.
 *
 * Postfix requires body replacement to be contiguous and to follow every
 * header change, so the order here is fixed: delete the originals (last index
 * of a name first, so that earlier indexes never shift), add the output's
 * fields in order, then the body. The leading fields the output has exactly
 * as the MTA showed them (name and value, with SMFIP_HDR_LEADSPC) are left in
 * place: added fields go after the last one, so the result is the output's
 * header either way, with two calls (and two edits in Postfix) fewer each. It must never skip
 * a deletion or leave the original body: libmilter sends nothing for an empty replacement, so
 * an empty output body is sent as one empty line.
 */
#include "milter/milter_apply.h"

#include <gio/gio.h>
#include <string.h>

MgMilterHeader *
mg_milter_header_new (const char *name, const char *value)
{
  MgMilterHeader *header = g_new0 (MgMilterHeader, 1);

  header->name = g_strdup (name);
  header->value = g_strdup (value);
  return header;
}

void
mg_milter_header_free (MgMilterHeader *header)
{
  if (header == NULL)
    return;
  g_free (header->name);
  g_free (header->value);
  g_free (header);
}

static gboolean
valid_field_name (const char *start, gsize len)
{
  if (len == 0)
    return FALSE;
  for (gsize i = 0; i < len; i++)
    if ((guchar) start[i] < 33 || (guchar) start[i] > 126)
      return FALSE;
  return TRUE;
}

/* One line of the header block, without its LF (and a CR before it). */
static gboolean
add_header_line (GPtrArray *fields, const char *line, gsize len, gboolean leadspc,
                 GError **error)
{
  const char *colon = memchr (line, ':', len);
  g_autofree char *name = NULL;
  g_autofree char *value = NULL;

  if (len > 0 && (line[0] == ' ' || line[0] == '\t')) {
    if (fields->len == 0)
      goto bad;
    MgMilterHeader *last = g_ptr_array_index (fields, fields->len - 1);
    g_autofree char *tail = g_strndup (line, len);
    g_autofree char *joined = g_strconcat (last->value, "\n", tail, NULL);
    g_free (last->value);
    last->value = g_steal_pointer (&joined);
    return TRUE;
  }
  if (colon == NULL || !valid_field_name (line, colon - line))
    goto bad;
  name = g_strndup (line, colon - line);
  value = g_strndup (colon + 1, len - (colon + 1 - line));
  g_ptr_array_add (
      fields, mg_milter_header_new (name, leadspc ? value : value + strspn (value, " \t")));
  return TRUE;
bad:
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
               "pipeline output has a malformed header line");
  return FALSE;
}

GPtrArray *
mg_milter_apply_parse_headers (GBytes *output, gboolean leadspc, gsize *body_offset_r,
                               GError **error)
{
  gsize size;
  const char *data = g_bytes_get_data (output, &size);
  g_autoptr (GPtrArray)
      fields = g_ptr_array_new_with_free_func ((GDestroyNotify) mg_milter_header_free);
  gsize pos = 0;

  while (pos < size) {
    const char *lf = memchr (data + pos, '\n', size - pos);
    gsize end = lf ? (gsize) (lf - data) : size;
    gsize len = end - pos;
    if (len > 0 && data[end - 1] == '\r')
      len--;
    if (lf == NULL)
      break;
    if (len == 0) {
      *body_offset_r = end + 1;
      return g_steal_pointer (&fields);
    }
    if (memchr (data + pos, '\0', len) != NULL ||
        !add_header_line (fields, data + pos, len, leadspc, error))
      return NULL;
    pos = end + 1;
  }
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
               "pipeline output has no blank line after its headers");
  return NULL;
}

/* How many leading fields of ORIGINAL the output FIELDS has unchanged;
 * none without LEADSPC (the MTA then showed the values trimmed). */
static guint
unchanged_prefix (GPtrArray *original, GPtrArray *fields, gboolean leadspc)
{
  guint n = 0;

  while (leadspc && n < original->len && n < fields->len) {
    const MgMilterHeader *o = g_ptr_array_index (original, n);
    const MgMilterHeader *f = g_ptr_array_index (fields, n);
    if (!g_str_equal (o->name, f->name) || !g_str_equal (o->value, f->value))
      break;
    n++;
  }
  return n;
}

/* Delete every original field after the first KEEP, the last of each name
 * first. */
static gboolean
delete_originals (const MgMilterApplyOps *ops, gpointer ctx, GPtrArray *original, guint keep)
{
  g_autofree int *index = g_new0 (int, original->len + 1);
  g_autoptr (GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  for (guint i = 0; i < original->len; i++) {
    const MgMilterHeader *h = g_ptr_array_index (original, i);
    char *key = g_ascii_strdown (h->name, -1);
    index[i] = GPOINTER_TO_INT (g_hash_table_lookup (seen, key)) + 1;
    g_hash_table_replace (seen, key, GINT_TO_POINTER (index[i]));
  }
  for (guint i = original->len; i-- > keep;) {
    const MgMilterHeader *h = g_ptr_array_index (original, i);
    if (!ops->chgheader (ctx, h->name, index[i], NULL))
      return FALSE;
  }
  return TRUE;
}

static gboolean
flush_chunk (const MgMilterApplyOps *ops, gpointer ctx, GByteArray *chunk)
{
  gboolean ok = ops->replacebody (ctx, chunk->data, chunk->len);

  g_byte_array_set_size (chunk, 0);
  return ok;
}

/* Append DATA to CHUNK, sending each chunk as it fills up. */
static gboolean
put_bytes (const MgMilterApplyOps *ops, gpointer ctx, GByteArray *chunk, const guint8 *data,
           gsize len)
{
  while (len > 0) {
    gsize n = MIN (len, MG_MILTER_APPLY_CHUNK - chunk->len);
    g_byte_array_append (chunk, data, n);
    data += n;
    len -= n;
    if (chunk->len == MG_MILTER_APPLY_CHUNK && !flush_chunk (ops, ctx, chunk))
      return FALSE;
  }
  return TRUE;
}

/* The body with CRLF line ends, in contiguous chunks. */
static gboolean
replace_body (const MgMilterApplyOps *ops, gpointer ctx, const guint8 *body, gsize len)
{
  g_autoptr (GByteArray) chunk = g_byte_array_sized_new (MG_MILTER_APPLY_CHUNK);
  gsize pos = 0;

  if (len == 0)
    return ops->replacebody (ctx, (const guint8 *) "\r\n", 2);
  while (pos < len) {
    const guint8 *lf = memchr (body + pos, '\n', len - pos);
    gsize end = lf != NULL ? (gsize) (lf - body) : len;
    gsize take = end - pos;
    if (lf != NULL && take > 0 && body[end - 1] == '\r')
      take--;
    if (!put_bytes (ops, ctx, chunk, body + pos, take))
      return FALSE;
    if (lf != NULL && !put_bytes (ops, ctx, chunk, (const guint8 *) "\r\n", 2))
      return FALSE;
    pos = lf != NULL ? end + 1 : len;
  }
  return chunk->len == 0 || flush_chunk (ops, ctx, chunk);
}

gboolean
mg_milter_apply (const MgMilterApplyOps *ops, gpointer ctx, GPtrArray *original,
                 GBytes *output, gboolean leadspc, GError **error)
{
  gsize body_offset = 0;
  gsize size;
  const guint8 *data = g_bytes_get_data (output, &size);
  g_autoptr (GPtrArray)
      fields = mg_milter_apply_parse_headers (output, leadspc, &body_offset, error);

  guint keep;

  if (fields == NULL)
    return FALSE;
  keep = unchanged_prefix (original, fields, leadspc);
  if (!delete_originals (ops, ctx, original, keep))
    goto failed;
  for (guint i = keep; i < fields->len; i++) {
    const MgMilterHeader *h = g_ptr_array_index (fields, i);
    if (!ops->addheader (ctx, h->name, h->value))
      goto failed;
  }
  if (!replace_body (ops, ctx, data + body_offset, size - body_offset))
    goto failed;
  return TRUE;
failed:
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "libmilter refused a modification");
  return FALSE;
}
