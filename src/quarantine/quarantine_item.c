/* quarantine_item.c - an item's fields from the pipeline's report.
 *
 * Must never trust the report's strings to be short or clean: they are copied
 * as text, and only ever shown escaped.
 */
#include "quarantine/quarantine_item.h"
#include "common/report_fields.h"
#include "util/jsonget.h"

#include <json-glib/json-glib.h>

static char *
member_string (JsonObject *object, const char *name)
{
  JsonNode *node = json_object_get_member (object, name);

  if (node == NULL || JSON_NODE_TYPE (node) != JSON_NODE_VALUE ||
      json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return g_strdup (json_node_get_string (node));
}

static void
add_reason (GPtrArray *reasons, char *reason)
{
  if (reason == NULL || *reason == '\0' ||
      g_ptr_array_find_with_equal_func (reasons, reason, g_str_equal, NULL)) {
    g_free (reason);
    return;
  }
  g_ptr_array_add (reasons, reason);
}

static void
add_part_reasons (JsonObject *report, GPtrArray *reasons)
{
  JsonArray *parts = mg_jsonget_array (report, MG_REPORT_PARTS);

  for (guint i = 0; parts != NULL && i < json_array_get_length (parts); i++) {
    JsonNode *node = json_array_get_element (parts, i);
    JsonObject *part = JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
    g_autofree char *action = part != NULL ? member_string (part, MG_REPORT_PART_ACTION)
                                           : NULL;
    if (g_strcmp0 (action, "removed") == 0 || g_strcmp0 (action, "withheld") == 0)
      add_reason (reasons, member_string (part, MG_REPORT_PART_REASON));
  }
}

static char *
join_strings (JsonObject *report, const char *name)
{
  JsonArray *array = mg_jsonget_array (report, name);
  g_autoptr (GPtrArray) names = g_ptr_array_new ();

  for (guint i = 0; array != NULL && i < json_array_get_length (array); i++) {
    JsonNode *node = json_array_get_element (array, i);
    if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING)
      g_ptr_array_add (names, (gpointer) json_node_get_string (node));
  }
  if (names->len == 0)
    return NULL;
  g_ptr_array_add (names, NULL);
  return g_strjoinv (", ", (char **) names->pdata);
}

static char *
join_reasons (GPtrArray *reasons)
{
  g_autoptr (GPtrArray) copy = g_ptr_array_copy (reasons, NULL, NULL);

  g_ptr_array_set_free_func (copy, NULL); /* the copy borrows the strings */
  if (reasons->len == 0)
    return NULL;
  g_ptr_array_add (copy, NULL);
  return g_strjoinv ("; ", (char **) copy->pdata);
}

MgQuarantineItem *
mg_quarantine_item_from_report (const char *report_json, GPtrArray **reasons_r)
{
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (GPtrArray) reasons = g_ptr_array_new_with_free_func (g_free);
  JsonObject *report;
  JsonNode *root;
  MgQuarantineItem *item;

  if (!json_parser_load_from_data (parser, report_json, -1, NULL) ||
      (root = json_parser_get_root (parser)) == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    return NULL;
  report = json_node_get_object (root);
  item = g_new0 (MgQuarantineItem, 1);
  item->id = member_string (report, MG_REPORT_ID);
  item->queue_id = member_string (report, MG_REPORT_QUEUE_ID);
  item->message_id = member_string (report, MG_REPORT_MESSAGE_ID);
  item->sender = member_string (report, MG_REPORT_FROM);
  item->subject = member_string (report, MG_REPORT_SUBJECT);
  item->verdict = member_string (report, MG_REPORT_VERDICT);
  item->virus = join_strings (report, MG_REPORT_VIRUS);
  add_reason (reasons, member_string (report, MG_REPORT_REASON));
  add_part_reasons (report, reasons);
  item->reasons = join_reasons (reasons);
  *reasons_r = g_steal_pointer (&reasons);
  return item;
}

void
mg_quarantine_item_free (MgQuarantineItem *item)
{
  if (item == NULL)
    return;
  g_free (item->id);
  g_free (item->queue_id);
  g_free (item->message_id);
  g_free (item->sender);
  g_free (item->sender_address);
  g_free (item->recipients);
  g_free (item->subject);
  g_free (item->verdict);
  g_free (item->reasons);
  g_free (item->virus);
  g_free (item->original_sha256);
  g_free (item->report_sha256);
  g_free (item->state);
  g_free (item->envelope_from);
  g_strfreev (item->envelope_to);
  g_free (item);
}
