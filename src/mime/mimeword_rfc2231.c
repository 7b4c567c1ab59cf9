/* mimeword_rfc2231.c - parameters as values: every written form of one
 * name (name=, name*=, name*N=, name*N*=) resolved to one decoded parameter.
 *
 * The RFC 2231 form wins over the plain one (RFC 2231 4); a name given twice,
 * both forms with different values, and continuations with gaps or repeats
 * are flagged (MG_FIELD_DUPLICATE, _MIXED_FORMS, _BAD_CONTINUATION), never
 * silently chosen. Values are decoded through mime/charset to UTF-8.
 */
#include "mime/mimeword.h"
#include "mime/mimeword_private.h"

#include "mime/charset.h"

#include <string.h>

/* Every written form of one parameter name. */
typedef struct {
  const char *name;
  MgRawParam *plain;    /* the first name= */
  MgRawParam *extended; /* the first name*= */
  GPtrArray *sections;  /* name*N= and name*N*=, unowned */
  guint n_plain, n_extended;
} MgParamForms;

static void
forms_free (MgParamForms *f)
{
  g_ptr_array_unref (f->sections);
  g_free (f);
}

static void
forms_add (MgParamForms *f, MgRawParam *raw)
{
  if (raw->section >= 0) {
    g_ptr_array_add (f->sections, raw);
  } else if (raw->star) {
    f->extended = f->n_extended++ == 0 ? raw : f->extended;
  } else {
    f->plain = f->n_plain++ == 0 ? raw : f->plain;
  }
}

/* Groups RAWS by name, in order of first appearance. */
static GPtrArray *
group_forms (GPtrArray *raws)
{
  GPtrArray *groups = g_ptr_array_new_with_free_func ((GDestroyNotify) forms_free);
  g_autoptr (GHashTable) by_name = g_hash_table_new (g_str_hash, g_str_equal);

  for (guint i = 0; i < raws->len; i++) {
    MgRawParam *raw = g_ptr_array_index (raws, i);
    MgParamForms *f = g_hash_table_lookup (by_name, raw->name);
    if (f == NULL) {
      f = g_new0 (MgParamForms, 1);
      f->name = raw->name;
      f->sections = g_ptr_array_new ();
      g_hash_table_insert (by_name, raw->name, f);
      g_ptr_array_add (groups, f);
    }
    forms_add (f, raw);
  }
  return groups;
}

static gint
compare_sections (gconstpointer a, gconstpointer b)
{
  const MgRawParam *x = *(MgRawParam *const *) a, *y = *(MgRawParam *const *) b;
  return (x->section > y->section) - (x->section < y->section);
}

/* Appends one RFC 2231 segment; the first encoded one names the charset. */
static void
add_segment (const MgRawParam *seg, gboolean first, GByteArray *bytes, char **charset_r,
             guint *flags)
{
  const char *v = seg->value, *q1, *q2;

  if (!seg->star) {
    g_byte_array_append (bytes, (const guint8 *) v, (guint) strlen (v));
    return;
  }
  if (first) {
    q1 = strchr (v, '\'');
    q2 = q1 != NULL ? strchr (q1 + 1, '\'') : NULL;
    if (q2 == NULL) {
      *flags |= MG_FIELD_SYNTAX;
    } else {
      *charset_r = q1 > v ? g_strndup (v, (gsize) (q1 - v)) : NULL;
      v = q2 + 1;
    }
  }
  mg_mimeword_unescape (v, strlen (v), '%', bytes);
}

/* Decodes SEGS (in order) into a param value; RAW_R gets them as written. */
static char *
decode_segments (MgRawParam **segs, guint n, char **raw_r, guint *flags)
{
  g_autoptr (GByteArray) bytes = g_byte_array_new ();
  g_autofree char *charset = NULL;
  GString *raw = g_string_new (NULL);

  for (guint i = 0; i < n; i++) {
    add_segment (segs[i], i == 0, bytes, &charset, flags);
    g_string_append (raw, segs[i]->value);
  }
  *raw_r = g_string_free (raw, FALSE);
  return mg_charset_decode ((const char *) bytes->data, bytes->len, charset, NULL);
}

/* The continuations 0..n that follow each other; gaps and repeats are flagged. */
static guint
contiguous_sections (GPtrArray *sections, guint *flags)
{
  guint n = 0;

  g_ptr_array_sort (sections, compare_sections);
  for (guint i = 0; i < sections->len; i++) {
    const MgRawParam *s = g_ptr_array_index (sections, i);
    if (s->section != (gint) i) {
      *flags |= MG_FIELD_BAD_CONTINUATION;
      break;
    }
    n++;
  }
  return n;
}

/* The RFC 2231 value of F (name*= or name*0*=..), or NULL when it has none. */
static MgMimeParam *
extended_param (MgParamForms *f, guint *flags)
{
  MgMimeParam *param;
  guint n = 0;

  if (f->sections->len > 0)
    n = contiguous_sections (f->sections, flags);
  if (f->n_extended > 1 || (f->n_extended > 0 && f->sections->len > 0))
    *flags |= MG_FIELD_DUPLICATE;
  if (f->extended == NULL && n == 0)
    return NULL;
  param = g_new0 (MgMimeParam, 1);
  param->extended = TRUE;
  if (f->extended != NULL)
    param->value = decode_segments (&f->extended, 1, &param->raw, flags);
  else
    param->value = decode_segments ((MgRawParam **) f->sections->pdata, n, &param->raw, flags);
  param->encoded_word = mg_mimeword_holds_encoded_word (param->raw);
  return param;
}

static MgMimeParam *
plain_param (const MgRawParam *raw)
{
  MgMimeParam *param = g_new0 (MgMimeParam, 1);

  param->raw = g_strdup (raw->value);
  param->quoted = raw->quoted;
  param->value = mg_mimeword_decode_words (raw->value, strlen (raw->value),
                                           &param->encoded_word);
  return param;
}

void
mg_mimeword_param_free (MgMimeParam *param)
{
  g_free (param->name);
  g_free (param->value);
  g_free (param->raw);
  g_free (param);
}

/* One parameter from all its forms: the RFC 2231 one wins, as in RFC 2231 4. */
static MgMimeParam *
resolve_forms (MgParamForms *f, guint *flags)
{
  MgMimeParam *plain = f->plain != NULL ? plain_param (f->plain) : NULL;
  MgMimeParam *extended = extended_param (f, flags);

  if (f->n_plain > 1)
    *flags |= MG_FIELD_DUPLICATE;
  if (plain != NULL && extended != NULL) {
    *flags |= MG_FIELD_MIXED_FORMS;
    if (strcmp (plain->value, extended->value) != 0)
      *flags |= MG_FIELD_DUPLICATE;
  }
  if (extended != NULL) {
    g_clear_pointer (&plain, mg_mimeword_param_free);
    plain = extended;
  }
  if (plain != NULL)
    plain->name = g_strdup (f->name);
  return plain;
}

void
mg_mimeword_resolve_params (GPtrArray *raws, GPtrArray *params, guint *flags)
{
  g_autoptr (GPtrArray) groups = group_forms (raws);

  for (guint i = 0; i < groups->len; i++) {
    MgMimeParam *param = resolve_forms (g_ptr_array_index (groups, i), flags);
    if (param != NULL)
      g_ptr_array_add (params, param);
  }
}
