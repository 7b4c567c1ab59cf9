/* report.c - the report, written with json-glib; its field names are
 * report_fields.h's. */
#include "pipeline/report.h"

#include <json-glib/json-glib.h>

#include "common/report_fields.h"
#include "pipeline/headers.h"
#include "scan/scan.h"

char *
mg_report_new_id (void)
{
  g_autoptr (GDateTime) now = g_date_time_new_now_utc ();
  g_autofree char *stamp = g_date_time_format (now, "%Y%m%dT%H%M%SZ");

  return g_strdup_printf ("%s-%08x", stamp, g_random_int ());
}

static void
add_string (JsonBuilder *b, const char *name, const char *value)
{
  json_builder_set_member_name (b, name);
  if (value != NULL)
    json_builder_add_string_value (b, value);
  else
    json_builder_add_null_value (b);
}

static void
add_part_fields (JsonBuilder *b, const MgPart *part)
{
  add_string (b, MG_REPORT_PART_PATH, part->path);
  add_string (b, MG_REPORT_PART_FILENAME, part->filename);
  add_string (b, MG_REPORT_PART_DECLARED_TYPE, part->declared_type);
  add_string (b, MG_REPORT_PART_DETECTED_TYPE, part->detected_type);
  add_string (b, MG_REPORT_PART_ACTION, mg_action_name (part->action));
  add_string (b, MG_REPORT_PART_OUTPUT_FILENAME, part->output_filename);
  add_string (b, MG_REPORT_PART_OUTPUT_TYPE, part->output_type);
  add_string (b, MG_REPORT_PART_REASON,
              part->reason != MG_REASON_NONE ? mg_reason_text (part->reason, MG_LANG_EN)
                                             : NULL);
  add_string (b, MG_REPORT_PART_DETAIL, part->detail);
  add_string (b, MG_REPORT_PART_SHA256, part->sha256);
  add_string (b, MG_REPORT_PART_OUTPUT_SHA256, part->output_sha256);
}

static void
add_part (JsonBuilder *b, const MgPart *part)
{
  json_builder_begin_object (b);
  add_part_fields (b, part);
  json_builder_end_object (b);
}

static void
add_header (JsonBuilder *b, GMimeMessage *message, const char *member, const char *name)
{
  g_autofree char *value = message != NULL
                               ? mg_headers_get_decoded (GMIME_OBJECT (message), name)
                               : NULL;
  add_string (b, member, value);
}

/* The viruses found, and the database they were looked for with (null
 * where no engine ran: a front that only reports a failed worker). */
static void
add_viruses (JsonBuilder *b, const MgJob *job)
{
  json_builder_set_member_name (b, MG_REPORT_VIRUS);
  json_builder_begin_array (b);
  for (guint i = 0; i < job->viruses->len; i++)
    json_builder_add_string_value (b, g_ptr_array_index (job->viruses, i));
  json_builder_end_array (b);
  add_string (b, MG_REPORT_SIGNATURES,
              job->engine ? mg_scan_engine_version (job->engine) : NULL);
}

/* The job's parts from FIRST on, as the array NAME. */
static void
add_parts (JsonBuilder *b, const char *name, const MgJob *job, guint first)
{
  json_builder_set_member_name (b, name);
  json_builder_begin_array (b);
  for (guint i = first; i < job->parts->len; i++)
    add_part (b, g_ptr_array_index (job->parts, i));
  json_builder_end_array (b);
}

static void
add_arrays (JsonBuilder *b, const MgJob *job)
{
  add_viruses (b, job);
  add_parts (b, MG_REPORT_PARTS, job, 0);
}

static char *
builder_to_line (JsonBuilder *b)
{
  g_autoptr (JsonGenerator) gen = json_generator_new ();
  g_autoptr (JsonNode) root = json_builder_get_root (b);

  json_generator_set_root (gen, root);
  return json_generator_to_data (gen, NULL);
}

char *
mg_report_json (const MgJob *job, GMimeMessage *message, const char *id, MgVerdict verdict,
                const char *queue_id, gint64 elapsed_ms)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();

  json_builder_begin_object (b);
  add_string (b, MG_REPORT_ID, id);
  add_string (b, MG_REPORT_VERDICT, mg_verdict_name (verdict));
  add_string (b, MG_REPORT_QUEUE_ID, queue_id);
  add_header (b, message, MG_REPORT_MESSAGE_ID, "Message-ID");
  add_header (b, message, MG_REPORT_FROM, "From");
  add_header (b, message, MG_REPORT_SUBJECT, "Subject");
  add_string (b, MG_REPORT_REASON,
              job->withhold != MG_REASON_NONE ? mg_reason_text (job->withhold, MG_LANG_EN)
                                              : NULL);
  add_string (b, MG_REPORT_DETAIL, job->withhold_detail);
  add_arrays (b, job);
  json_builder_set_member_name (b, MG_REPORT_PARTS_LISTED);
  json_builder_add_boolean_value (b, !job->parts_unlisted);
  json_builder_set_member_name (b, MG_REPORT_ELAPSED_MS);
  json_builder_add_int_value (b, elapsed_ms);
  json_builder_end_object (b);
  return builder_to_line (b);
}

char *
mg_report_file_json (const MgJob *job, const char *id, const char *source, const char *output,
                     gint64 elapsed_ms)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();
  const MgPart *file = g_ptr_array_index (job->parts, 0);

  json_builder_begin_object (b);
  add_string (b, MG_REPORT_ID, id);
  add_string (b, MG_REPORT_SOURCE, source);
  add_string (b, MG_REPORT_OUTPUT, output);
  add_part_fields (b, file);
  add_viruses (b, job);
  add_parts (b, MG_REPORT_MEMBERS, job, 1);
  json_builder_set_member_name (b, MG_REPORT_ELAPSED_MS);
  json_builder_add_int_value (b, elapsed_ms);
  json_builder_end_object (b);
  return builder_to_line (b);
}

static void
set_or_null (JsonObject *object, const char *name, const char *value)
{
  if (value != NULL)
    json_object_set_string_member (object, name, value);
  else
    json_object_set_null_member (object, name);
}

char *
mg_report_set_paths (const char *report_json, const char *source, const char *output)
{
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (JsonGenerator) gen = json_generator_new ();
  JsonNode *root;

  if (!json_parser_load_from_data (parser, report_json, -1, NULL) ||
      !JSON_NODE_HOLDS_OBJECT (root = json_parser_get_root (parser)))
    return g_strdup ("{\"error\":\"malformed report from the worker\"}");
  set_or_null (json_node_get_object (root), MG_REPORT_SOURCE, source);
  set_or_null (json_node_get_object (root), MG_REPORT_OUTPUT, output);
  json_generator_set_root (gen, root);
  return json_generator_to_data (gen, NULL);
}
