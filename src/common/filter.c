/* filter.c - helpers of the filter contract. */
#include "common/filter.h"

void
mg_filter_result_clear (MgFilterResult *result)
{
  g_clear_pointer (&result->detail, g_free);
  g_clear_pointer (&result->output, g_bytes_unref);
  g_clear_pointer (&result->output_type, g_free);
  g_clear_pointer (&result->output_extension, g_free);
  g_clear_pointer (&result->members, g_ptr_array_unref);
  result->action = MG_ACTION_REMOVED;
  result->reason = MG_REASON_NONE;
}

void
mg_filter_result_set (MgFilterResult *result, MgAction action, MgReason reason, char *detail)
{
  result->action = action;
  result->reason = reason;
  g_free (result->detail);
  result->detail = detail;
}

static void
member_free (MgFilterMember *m)
{
  g_free (m->name);
  g_free (m->detected_type);
  g_free (m->detail);
  g_free (m->sha256);
  g_free (m->output_sha256);
  g_free (m);
}

static MgFilterMember *
member_append (MgFilterResult *result)
{
  MgFilterMember *m = g_new0 (MgFilterMember, 1);

  if (result->members == NULL)
    result->members = g_ptr_array_new_with_free_func ((GDestroyNotify) member_free);
  g_ptr_array_add (result->members, m);
  return m;
}

void
mg_filter_result_add_member (MgFilterResult *result, const char *name,
                             const char *detected_type, const MgFilterResult *member,
                             const char *sha256)
{
  MgFilterMember *m = member_append (result);

  m->name = g_strdup (name);
  m->detected_type = g_strdup (detected_type);
  m->action = member->action;
  m->reason = member->reason;
  m->detail = g_strdup (member->detail);
  m->sha256 = g_strdup (sha256);
  if (member->output != NULL)
    m->output_sha256 = g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, member->output);
}

void
mg_filter_result_add_nested (MgFilterResult *result, const char *prefix,
                             const GPtrArray *members)
{
  for (guint i = 0; members != NULL && i < members->len; i++) {
    const MgFilterMember *n = g_ptr_array_index (members, i);
    MgFilterMember *m = member_append (result);
    m->name = g_strconcat (prefix, "/", n->name, NULL);
    m->detected_type = g_strdup (n->detected_type);
    m->action = n->action;
    m->reason = n->reason;
    m->detail = g_strdup (n->detail);
    m->sha256 = g_strdup (n->sha256);
    m->output_sha256 = g_strdup (n->output_sha256);
  }
}
