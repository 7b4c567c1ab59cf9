/* filter.c - helpers of the filter contract. */
#include "common/filter.h"

void
mg_filter_result_clear (MgFilterResult *result)
{
  g_clear_pointer (&result->detail, g_free);
  g_clear_pointer (&result->output, g_bytes_unref);
  g_clear_pointer (&result->output_type, g_free);
  g_clear_pointer (&result->output_extension, g_free);
  result->action = MG_ACTION_REMOVED;
  result->reason = MG_REASON_NONE;
}
