/* jsonget.c - typed members of a parsed JSON object (see jsonget.h). */
#include "util/jsonget.h"

const char *
mg_jsonget_string (JsonObject *object, const char *name)
{
  JsonNode *node = object != NULL ? json_object_get_member (object, name) : NULL;

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) ||
      json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (node);
}

JsonArray *
mg_jsonget_array (JsonObject *object, const char *name)
{
  JsonNode *node = object != NULL ? json_object_get_member (object, name) : NULL;

  return node != NULL && JSON_NODE_HOLDS_ARRAY (node) ? json_node_get_array (node) : NULL;
}

JsonObject *
mg_jsonget_parse_object (JsonParser *parser, const char *text)
{
  JsonNode *root;

  if (text == NULL || !json_parser_load_from_data (parser, text, -1, NULL))
    return NULL;
  root = json_parser_get_root (parser);
  return root != NULL && JSON_NODE_HOLDS_OBJECT (root) ? json_node_get_object (root) : NULL;
}

const char *
mg_jsonget_or_dash (const char *text)
{
  return text != NULL && *text != '\0' ? text : "-";
}

const char *
mg_jsonget_string_or_dash (JsonObject *object, const char *name)
{
  return mg_jsonget_or_dash (mg_jsonget_string (object, name));
}
