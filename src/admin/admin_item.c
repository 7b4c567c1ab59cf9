/* admin_item.c - one item: report, parts, headers, requests, forms.
 *
 * Must never render anything of the original but its (escaped) header block,
 * and never offer the requester a form to approve their own request (the
 * quarantine module refuses it anyway).
 */
#include "admin/admin_item.h"
#include "common/report_fields.h"
#include "util/jsonget.h"

#include <json-glib/json-glib.h>

#include "util/jsonget.h"
#include "quarantine/quarantine_query.h"
#include "quarantine/quarantine_release.h"
#include "quarantine/quarantine_role.h"

#define T(id) mg_msg ((id), ctx->lang)

static void
field (GString *out, const char *name, const char *value)
{
  mg_admin_html_printf (out, "<dt>%s</dt><dd>%s</dd>", name, mg_jsonget_or_dash (value));
}

static void
fields (MgAdminContext *ctx, GString *out, const MgQuarantineItem *it)
{
  g_autofree char *when = mg_quarantine_query_format_jst (it->time);
  g_autofree char *reasons = mg_admin_text_reasons (ctx->lang, it->reasons);
  g_autofree char *bytes = g_strdup_printf ("%" G_GINT64_FORMAT, it->size);
  g_autofree char *size = g_strdup_printf (T (MG_MSG_UI_SIZE_VALUE), bytes,
                                           mg_jsonget_or_dash (it->original_sha256));

  g_string_append (out, "<section><dl>");
  field (out, T (MG_MSG_UI_ID), it->id);
  field (out, T (MG_MSG_UI_TIME), when);
  field (out, T (MG_MSG_UI_FROM), it->sender);
  field (out, T (MG_MSG_UI_FROM_ADDRESS), it->sender_address);
  field (out, T (MG_MSG_UI_TO), it->recipients);
  field (out, T (MG_MSG_UI_SUBJECT), it->subject);
  field (out, T (MG_MSG_UI_VERDICT), mg_admin_text_word (ctx->lang, it->verdict));
  field (out, T (MG_MSG_UI_STATE), mg_admin_text_word (ctx->lang, it->state));
  field (out, T (MG_MSG_UI_REASONS), reasons);
  field (out, T (MG_MSG_UI_VIRUS), it->virus);
  field (out, "Message-ID", it->message_id);
  field (out, T (MG_MSG_UI_QUEUE_ID), it->queue_id);
  field (out, T (MG_MSG_UI_SIZE), size);
  mg_admin_html_printf (out, "</dl><p class=\"note\">%s %s</p></section>\n",
                        T (MG_MSG_UI_NO_BODY), T (MG_MSG_UI_TZ_NOTE));
}

static void
part_row (MgLang lang, GString *out, JsonObject *p)
{
  const char *detail = mg_jsonget_string (p, MG_REPORT_PART_DETAIL);
  g_autofree char *why = mg_admin_text_reasons (
      lang, mg_jsonget_string_or_dash (p, MG_REPORT_PART_REASON));
  g_autofree char *type = g_strdup_printf (
      "%s (%s)", mg_jsonget_string_or_dash (p, MG_REPORT_PART_DETECTED_TYPE),
      mg_jsonget_string_or_dash (p, MG_REPORT_PART_DECLARED_TYPE));
  g_autofree char *reason = detail != NULL ? g_strdup_printf ("%s (%s)", why, detail)
                                           : g_strdup (why);

  mg_admin_html_printf (
      out,
      "<tr><td>%s</td><td>%s</td><td>%s</td><td>%s</td><td>%s</td>"
      "</tr>\n",
      mg_jsonget_string_or_dash (p, MG_REPORT_PART_PATH),
      mg_jsonget_string_or_dash (p, MG_REPORT_PART_FILENAME), type,
      mg_admin_text_action (lang, mg_jsonget_string_or_dash (p, MG_REPORT_PART_ACTION)),
      reason);
}

static void
parts (MgAdminContext *ctx, GString *out, const char *report_json)
{
  g_autoptr (JsonParser) parser = json_parser_new ();
  JsonObject *report = mg_jsonget_parse_object (parser, report_json);
  JsonArray *list = mg_jsonget_array (report, MG_REPORT_PARTS);

  mg_admin_html_printf (out,
                        "<section><h2>%s</h2><p>%s: %s</p><table><tr><th>#</th>"
                        "<th>%s</th><th>%s</th><th>%s</th><th>%s</th></tr>\n",
                        T (MG_MSG_UI_PARTS), T (MG_MSG_UI_DETAIL),
                        mg_jsonget_string_or_dash (report, MG_REPORT_DETAIL),
                        T (MG_MSG_UI_FILENAME), T (MG_MSG_UI_TYPE), T (MG_MSG_UI_ACTION),
                        T (MG_MSG_UI_REASONS));
  for (guint i = 0; list != NULL && i < json_array_get_length (list); i++) {
    JsonNode *p = json_array_get_element (list, i);
    if (JSON_NODE_HOLDS_OBJECT (p))
      part_row (ctx->lang, out, json_node_get_object (p));
  }
  g_string_append (out, "</table></section>\n");
}

static void
headers (MgAdminContext *ctx, GString *out, const char *text)
{
  mg_admin_html_printf (out, "<section><h2>%s</h2><pre>%s</pre></section>\n",
                        T (MG_MSG_UI_HEADERS), text != NULL ? text : T (MG_MSG_UI_DELETED));
}

static void
requests (MgAdminContext *ctx, GString *out, GPtrArray *list)
{
  mg_admin_html_printf (out,
                        "<section><h2>%s</h2><table><tr><th>#</th><th>%s</th><th>%s</th>"
                        "<th>%s</th><th>%s</th><th>%s</th><th>%s</th></tr>\n",
                        T (MG_MSG_UI_REQUESTS), T (MG_MSG_UI_ACTION),
                        T (MG_MSG_UI_REQUESTED_BY), T (MG_MSG_UI_NOTE), T (MG_MSG_UI_STATE),
                        T (MG_MSG_UI_DECIDED_BY), T (MG_MSG_UI_RESULT));
  for (guint i = 0; list != NULL && i < list->len; i++) {
    const MgQuarantineRequest *r = g_ptr_array_index (list, i);
    g_autofree char *when = mg_quarantine_query_format_jst (r->requested_at);
    g_autofree char *by = g_strdup_printf ("%s, %s", r->requested_by, when);
    mg_admin_html_printf (out,
                          "<tr><td>%" G_GINT64_FORMAT "</td><td>%s</td><td>%s</td>"
                          "<td>%s</td><td>%s</td><td>%s</td><td>%s</td></tr>\n",
                          r->rid, mg_admin_text_kind (ctx->lang, r->kind), by,
                          mg_jsonget_or_dash (r->note),
                          mg_admin_text_word (ctx->lang, r->state),
                          mg_jsonget_or_dash (r->decided_by), mg_jsonget_or_dash (r->result));
  }
  g_string_append (out, "</table></section>\n");
}

static void
form_open (MgAdminContext *ctx, GString *out, const char *id, const char *action)
{
  mg_admin_html_printf (out, "<form method=\"post\" action=\"/items/%s/%s\">", id, action);
  mg_admin_html_csrf (out, ctx->session->csrf);
}

static void
request_form (MgAdminContext *ctx, GString *out, const char *id)
{
  gboolean forward = *ctx->server->config->release_original_forward_address != '\0';

  form_open (ctx, out, id, "request");
  mg_admin_html_printf (out,
                        "<h3>%s</h3><p><label><input type=\"radio\" name=\"kind\""
                        " value=\"sanitised\" checked> %s</label>",
                        T (MG_MSG_UI_REQUEST), T (MG_MSG_UI_KIND_SANITISED));
  if (forward)
    mg_admin_html_printf (out,
                          "<br><label><input type=\"radio\" name=\"kind\""
                          " value=\"original\"> %s (%s)</label>",
                          T (MG_MSG_UI_KIND_ORIGINAL),
                          ctx->server->config->release_original_forward_address);
  mg_admin_html_printf (out,
                        "</p><p><label>%s<br><input type=\"password\" name=\"password\""
                        " autocomplete=\"off\"></label><br><span class=\"note\">%s</span></p>"
                        "<p><label>%s<br><input name=\"note\" size=\"60\" maxlength=\"500\">"
                        "</label></p><p><button>%s</button></p></form>\n",
                        T (MG_MSG_UI_PPAP), T (MG_MSG_UI_PPAP_HELP), T (MG_MSG_UI_NOTE),
                        T (MG_MSG_UI_REQUEST));
}

/* An item stored without an envelope goes to the one address the approver types. */
static void
release_to_field (MgAdminContext *ctx, GString *out, const MgQuarantineItem *it,
                  const MgQuarantineRequest *pending)
{
  if (it->envelope_to != NULL ||
      g_strcmp0 (pending->kind, MG_QUARANTINE_RELEASE_ORIGINAL) == 0)
    return;
  mg_admin_html_printf (out,
                        "<p><label>%s<br><input type=\"email\" name=\"to\" size=\"40\""
                        " maxlength=\"254\" required></label><br><span class=\"note\">%s"
                        "</span></p>",
                        T (MG_MSG_UI_RELEASE_TO), T (MG_MSG_UI_RELEASE_TO_HELP));
}

static void
decision_forms (MgAdminContext *ctx, GString *out, const MgQuarantineItem *it,
                const MgQuarantineRequest *pending)
{
  const char *id = it->id;
  g_autofree char *by = g_strdup_printf (T (MG_MSG_UI_PENDING_BY), pending->requested_by);
  gboolean own = g_ascii_strcasecmp (pending->requested_by, ctx->session->name) == 0;
  gboolean approver = g_strcmp0 (ctx->session->role, MG_QUARANTINE_ROLE_APPROVER) == 0;

  mg_admin_html_printf (out, "<p><strong>%s</strong> %s</p>", by,
                        mg_jsonget_or_dash (pending->note));
  if (!approver || own) {
    mg_admin_html_message (
        out, T (own && approver ? MG_MSG_UI_OWN_REQUEST : MG_MSG_UI_WAIT_OTHER), FALSE);
  } else {
    form_open (ctx, out, id, "approve");
    release_to_field (ctx, out, it, pending);
    mg_admin_html_printf (out, "<button>%s</button></form>\n", T (MG_MSG_UI_APPROVE));
  }
  if (approver) {
    form_open (ctx, out, id, "reject");
    mg_admin_html_printf (out,
                          "<label>%s <input name=\"note\" maxlength=\"500\"></label> "
                          "<button>%s</button></form>\n",
                          T (MG_MSG_UI_REJECT_NOTE), T (MG_MSG_UI_REJECT));
  }
}

/* The open request in HISTORY (ordered by rid), as mg_quarantine_release_pending
 * would find it, without asking the index a second time; NULL if none. */
static const MgQuarantineRequest *
pending_in (GPtrArray *history)
{
  for (guint i = history != NULL ? history->len : 0; i > 0; i--) {
    const MgQuarantineRequest *r = g_ptr_array_index (history, i - 1);
    if (g_strcmp0 (r->state, "pending") == 0 || g_strcmp0 (r->state, "approving") == 0)
      return r;
  }
  return NULL;
}

static void
actions (MgAdminContext *ctx, GString *out, const MgQuarantineItem *it, GPtrArray *history)
{
  const MgQuarantineRequest *pending = pending_in (history);
  gboolean deleted = g_strcmp0 (it->state, MG_QUARANTINE_STATE_DELETED) == 0;

  mg_admin_html_printf (out, "<section><h2>%s</h2>", T (MG_MSG_UI_ACTIONS));
  if (pending != NULL)
    decision_forms (ctx, out, it, pending);
  else if (!deleted)
    request_form (ctx, out, it->id);
  if (!deleted && g_strcmp0 (ctx->session->role, MG_QUARANTINE_ROLE_APPROVER) == 0)
    mg_admin_html_printf (out,
                          "<form method=\"get\" action=\"/items/%s/delete\">"
                          "<p class=\"note\">%s</p><button class=\"danger\">%s</button>"
                          "</form>\n",
                          it->id, T (MG_MSG_UI_CONFIRM_DELETE), T (MG_MSG_UI_DELETE));
  g_string_append (out, "</section>\n");
}

MgAdminReply *
mg_admin_item_page (MgAdminContext *ctx, const char *id)
{
  MgQuarantineStore *store = ctx->server->store;
  g_autoptr (GError) error = NULL;
  g_autoptr (MgQuarantineItem)
      item = mg_quarantine_store_show (store, id, &ctx->actor, &error);
  g_autofree char *report = NULL;
  g_autofree char *head = NULL;
  g_autoptr (GPtrArray) history = NULL;
  MgAdminReply *reply;

  if (item == NULL)
    return mg_admin_pages_message (
        ctx,
        g_error_matches (error, MG_QUARANTINE_ERROR, MG_QUARANTINE_ERROR_NOT_FOUND)
            ? MHD_HTTP_NOT_FOUND
            : MHD_HTTP_SERVICE_UNAVAILABLE,
        T (MG_MSG_UI_NOT_FOUND));
  report = mg_quarantine_store_report (store, item, NULL);
  head = mg_quarantine_store_headers (store, item, NULL);
  history = mg_quarantine_release_history (store, id, NULL);
  reply = mg_admin_pages_begin (ctx, MHD_HTTP_OK, MG_MSG_UI_ITEM);
  fields (ctx, reply->body, item);
  actions (ctx, reply->body, item, history);
  parts (ctx, reply->body, report);
  requests (ctx, reply->body, history);
  headers (ctx, reply->body, head);
  return mg_admin_pages_end (reply);
}

MgAdminReply *
mg_admin_item_delete_confirm (MgAdminContext *ctx, const char *id)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (MgQuarantineItem) item = NULL;
  g_autofree char *back = NULL;
  MgAdminReply *reply;

  if (g_strcmp0 (ctx->session->role, MG_QUARANTINE_ROLE_APPROVER) != 0)
    return mg_admin_pages_message (ctx, MHD_HTTP_FORBIDDEN, T (MG_MSG_UI_ERR_ROLE));
  item = mg_quarantine_store_get (ctx->server->store, id, &error);
  if (item == NULL || g_strcmp0 (item->state, MG_QUARANTINE_STATE_DELETED) == 0)
    return mg_admin_pages_message (ctx, MHD_HTTP_NOT_FOUND, T (MG_MSG_UI_ERR_STATE));
  reply = mg_admin_pages_begin (ctx, MHD_HTTP_OK, MG_MSG_UI_CONFIRM_DELETE_TITLE);
  mg_admin_html_message (reply->body, T (MG_MSG_UI_CONFIRM_DELETE_ASK), TRUE);
  fields (ctx, reply->body, item);
  back = g_strconcat ("/items/", id, NULL);
  mg_admin_pages_confirm_form (ctx, reply->body, id, MG_MSG_UI_CONFIRM_YES_DELETE, back);
  return mg_admin_pages_end (reply);
}
