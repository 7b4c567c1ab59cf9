/* quarantine_envelope.c - envelope addresses and the allowed domains.
 *
 * Must never let an address with SMTP syntax in it, or one outside the allowed
 * domains, become a release destination.
 */
#include "quarantine/quarantine_envelope.h"

#include <json-glib/json-glib.h>
#include <string.h>

#include "quarantine/quarantine_headers.h"
#include "quarantine/quarantine_index.h"

char *
mg_quarantine_envelope_address (const char *address)
{
  g_autofree char *bare = NULL;
  gsize len;

  if (address == NULL)
    return NULL;
  len = strlen (address);
  if (len >= 2 && address[0] == '<' && address[len - 1] == '>')
    bare = g_strndup (address + 1, len - 2);
  else
    bare = g_strdup (address);
  if (*bare == '\0' || mg_quarantine_headers_address_valid (bare))
    return g_steal_pointer (&bare);
  return NULL;
}

static JsonNode *
envelope_node (const MgEnvelope *envelope)
{
  JsonObject *object = json_object_new ();
  JsonArray *to = json_array_new ();
  g_autofree char *from = mg_quarantine_envelope_address (envelope->sender);
  JsonNode *node = json_node_new (JSON_NODE_OBJECT);

  if (from != NULL)
    json_object_set_string_member (object, "from", from);
  else
    json_object_set_null_member (object, "from");
  for (int i = 0; envelope->recipients != NULL && envelope->recipients[i] != NULL; i++) {
    g_autofree char *rcpt = mg_quarantine_envelope_address (envelope->recipients[i]);
    if (rcpt != NULL && *rcpt != '\0')
      json_array_add_string_element (to, rcpt);
  }
  json_object_set_array_member (object, "to", to);
  json_node_take_object (node, object);
  return node;
}

JsonObject *
mg_quarantine_envelope_report_object (const char *report_json, const MgEnvelope *envelope,
                                      char **json_r)
{
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (JsonGenerator) gen = NULL;
  JsonNode *root;

  if (!json_parser_load_from_data (parser, report_json, -1, NULL) ||
      (root = json_parser_get_root (parser)) == NULL || !JSON_NODE_HOLDS_OBJECT (root)) {
    *json_r = g_strdup (report_json);
    return NULL;
  }
  json_object_set_member (json_node_get_object (root), "envelope", envelope_node (envelope));
  gen = json_generator_new ();
  json_generator_set_root (gen, root);
  *json_r = json_generator_to_data (gen, NULL);
  return json_object_ref (json_node_get_object (root));
}

gboolean
mg_quarantine_envelope_domain_allowed (const char *domains, const char *address)
{
  const char *at = address != NULL ? strrchr (address, '@') : NULL;
  g_auto (GStrv) list = g_strsplit_set (domains != NULL ? domains : "", ", \t", -1);
  g_autofree char *domain = NULL;

  if (at == NULL || !mg_quarantine_headers_address_valid (address))
    return FALSE;
  /* user%other@ours and other!user@ours: Postfix's percent hack and bang
   * paths route them to "other" when "ours" is a local domain. */
  if (strpbrk (address, "%!") != NULL)
    return FALSE;
  domain = g_ascii_strdown (at + 1, -1);
  for (int i = 0; list[i] != NULL; i++) {
    g_autofree char *allowed = g_ascii_strdown (list[i][0] == '.' ? list[i] + 1 : list[i], -1);
    gsize dl = strlen (domain), al = strlen (allowed);
    if (al == 0)
      continue;
    if (g_str_equal (domain, allowed) ||
        (dl > al && domain[dl - al - 1] == '.' && g_str_has_suffix (domain, allowed)))
      return TRUE;
  }
  return FALSE;
}

gboolean
mg_quarantine_envelope_check (const MgConfig *config, const char *const *recipients,
                              GError **error)
{
  const char *domains = config->release_allowed_recipient_domains;

  if (recipients == NULL || recipients[0] == NULL) {
    g_set_error (error, MG_QUARANTINE_ERROR, MG_QUARANTINE_ERROR_POLICY,
                 "宛先がありません（エンベロープを記録していないメールは、承認者が"
                 "宛先を指定して解放します: approve --to）/ no recipient: this item"
                 " has no recorded envelope; the approver must give one (approve --to)");
    return FALSE;
  }
  for (int i = 0; recipients[i] != NULL; i++) {
    g_autofree char *shown = g_strescape (recipients[i], NULL);
    if (mg_quarantine_envelope_domain_allowed (domains, recipients[i]))
      continue;
    g_set_error (error, MG_QUARANTINE_ERROR, MG_QUARANTINE_ERROR_POLICY,
                 "宛先 %s は解放を許可したドメイン（[release] allowed_recipient_domains）"
                 "にないか、経路指定（%% や !）を含むため、解放しません / %s is not in"
                 " [release] allowed_recipient_domains (%s) or routes on (%% or !):"
                 " not released",
                 shown, shown, *domains != '\0' ? domains : "empty");
    return FALSE;
  }
  return TRUE;
}
