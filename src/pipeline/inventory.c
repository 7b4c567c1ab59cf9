/* inventory.c - list a parsed message's parts; read such a list back. */
#include "pipeline/inventory.h"

#include <string.h>

#include "pipeline/content.h"
#include "pipeline/headers.h"
#include "pipeline/walk.h"

#define MG_INVENTORY_FIELD_MAX 255 /* characters of a name or type */
#define MG_INVENTORY_PATH_MAX 64

typedef struct {
  MgJob *job;
  GString *out;
  guint count;
} MgInventory;

/* Tabs, line ends and other controls become spaces; long names are cut. */
static void
append_field (GString *out, const char *value)
{
  glong n = 0;

  if (value == NULL)
    return;
  for (const char *p = value; *p != '\0' && n < MG_INVENTORY_FIELD_MAX;
       p = g_utf8_next_char (p), n++) {
    gunichar c = g_utf8_get_char (p);
    if (g_unichar_iscntrl (c))
      g_string_append_c (out, ' ');
    else
      g_string_append_unichar (out, c);
  }
}

static void
add_line (MgInventory *inv, const char *path, const char *name, const char *type, gsize size)
{
  if (++inv->count > (guint) inv->job->config->limits.parts)
    return;
  g_string_append (inv->out, path);
  g_string_append_c (inv->out, '\t');
  append_field (inv->out, name);
  g_string_append_c (inv->out, '\t');
  append_field (inv->out, type);
  g_string_append_printf (inv->out, "\t%" G_GSIZE_FORMAT "\n", size);
}

static gsize
decoded_size (GMimePart *part)
{
  GMimeDataWrapper *wrapper = g_mime_part_get_content (part);
  g_autoptr (GMimeStream) null = g_mime_stream_null_new ();

  if (wrapper == NULL)
    return 0;
  g_mime_data_wrapper_write_to_stream (wrapper, null);
  return GMIME_STREAM_NULL (null)->written;
}

static void
list_leaf (MgInventory *inv, GMimePart *leaf, const char *path)
{
  g_autoptr (MgContent) c = mg_content_read_labels (inv->job, leaf);
  gboolean text = g_str_equal (c->declared_type, "text/plain") ||
                  g_str_equal (c->declared_type, "text/html");

  if (text && c->filename == NULL && !c->attachment)
    return; /* the body, not an attachment */
  add_line (inv, path, c->filename, c->declared_type, decoded_size (leaf));
}

static void list_object (MgInventory *inv, GMimeObject *object, const char *path, int depth);

/* An attached message is listed under its subject, then what it holds (the
 * same paths as the walk gives them). */
static void
list_message (MgInventory *inv, GMimeMessagePart *mpart, const char *path, int depth)
{
  GMimeMessage *inner = g_mime_message_part_get_message (mpart);
  GMimeObject *body = inner != NULL ? g_mime_message_get_mime_part (inner) : NULL;
  g_autofree char *subject = inner != NULL
                                 ? mg_headers_get_decoded (GMIME_OBJECT (inner), "Subject")
                                 : NULL;
  g_autofree char *body_path = NULL;

  add_line (inv, path, subject, "message/rfc822", 0);
  if (body == NULL)
    return;
  body_path = GMIME_IS_MULTIPART (body) ? g_strdup (path) : mg_walk_child_path (path, 0);
  list_object (inv, body, body_path, depth + 1);
}

static void
list_object (MgInventory *inv, GMimeObject *object, const char *path, int depth)
{
  if (depth > inv->job->config->limits.depth || inv->count >= inv->job->config->limits.parts)
    return;
  if (GMIME_IS_MULTIPART (object)) {
    GMimeMultipart *mp = GMIME_MULTIPART (object);
    for (int i = 0; i < g_mime_multipart_get_count (mp); i++) {
      g_autofree char *cpath = mg_walk_child_path (path, i);
      list_object (inv, g_mime_multipart_get_part (mp, i), cpath, depth + 1);
    }
  } else if (GMIME_IS_MESSAGE_PART (object)) {
    list_message (inv, GMIME_MESSAGE_PART (object), path, depth);
  } else if (GMIME_IS_PART (object)) {
    list_leaf (inv, GMIME_PART (object), *path ? path : "1");
  }
}

char *
mg_inventory_list (MgJob *job, GMimeMessage *message)
{
  MgInventory inv = { job, g_string_new (NULL), 0 };
  GMimeObject *body = g_mime_message_get_mime_part (message);

  if (body != NULL)
    list_object (&inv, body, "", 0);
  return g_string_free (inv.out, FALSE);
}

static gboolean
path_valid (const char *path)
{
  gsize len = strlen (path);

  return len > 0 && len <= MG_INVENTORY_PATH_MAX && strspn (path, "0123456789.") == len;
}

static gboolean
field_valid (const char *value)
{
  return g_utf8_strlen (value, -1) <= MG_INVENTORY_FIELD_MAX;
}

/* One line: PATH, NAME, TYPE, SIZE; FALSE when any field is off. */
static gboolean
add_part_line (MgJob *job, const char *line)
{
  g_auto (GStrv) f = g_strsplit (line, "\t", -1);
  guint64 size;
  MgPart *part;
  g_autofree char *detail = NULL;

  if (g_strv_length (f) != 4 || !path_valid (f[0]) || !field_valid (f[1]) || *f[2] == '\0' ||
      !field_valid (f[2]) ||
      !g_ascii_string_to_unsigned (f[3], 10, 0, G_MAXINT64, &size, NULL))
    return FALSE;
  part = mg_job_add_part (job, f[0]);
  part->filename = *f[1] != '\0' ? g_strdup (f[1]) : NULL;
  part->declared_type = g_strdup (f[2]);
  detail = g_strdup_printf ("%" G_GUINT64_FORMAT " bytes; not finished when the sanitiser "
                            "failed",
                            size);
  mg_part_set_outcome (part, MG_ACTION_WITHHELD, MG_REASON_CONVERT_FAILED, detail);
  return TRUE;
}

gboolean
mg_inventory_add_parts (MgJob *job, const char *list)
{
  g_auto (GStrv) lines = g_strsplit (list, "\n", -1);
  guint first = job->parts->len;
  guint n = 0;

  for (char **l = lines; *l != NULL; l++) {
    if (**l == '\0' && l[1] == NULL)
      break; /* after the last line's end */
    if (++n > (guint) job->config->limits.parts || !add_part_line (job, *l)) {
      g_ptr_array_remove_range (job->parts, first, job->parts->len - first);
      return FALSE;
    }
  }
  return TRUE;
}
