/* admin_pages.c - list, statistics, login and message pages.
 *
 * Must never write a value into HTML except through mg_admin_html_printf.
 */
#include "admin/admin_pages.h"

#include <string.h>

#include "quarantine/quarantine_query.h"

#define T(id) mg_msg ((id), ctx->lang)
#define MG_ADMIN_PAGE_SIZE 50
#define MG_ADMIN_LIST_CHARS 120 /* of a subject, sender or reasons in the list */

/* The choices of the filter form, in the order shown; other values are ignored. */
static const char *const verdicts[] = { "withheld", "sanitised", NULL };
static const char *const states[] = { "held", "pending", "released", "deleted", "kept", NULL };

typedef struct {
  char *text, *verdict, *state, *since, *until, *from, *to, *reason, *all;
  guint page;
} MgListQuery;

static void
list_query_clear (MgListQuery *q)
{
  g_free (q->text);
  g_free (q->verdict);
  g_free (q->state);
  g_free (q->since);
  g_free (q->until);
  g_free (q->from);
  g_free (q->to);
  g_free (q->reason);
  g_free (q->all);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (MgListQuery, list_query_clear)

MgAdminReply *
mg_admin_pages_begin (MgAdminContext *ctx, guint status, MgMsgId title)
{
  MgAdminReply *reply = mg_admin_reply_new (status);
  MgAdminPage page = { ctx->lang, T (title), ctx->session };

  mg_admin_html_begin (reply->body, &page, ctx->session);
  return reply;
}

MgAdminReply *
mg_admin_pages_end (MgAdminReply *reply)
{
  mg_admin_html_end (reply->body);
  return reply;
}

MgAdminReply *
mg_admin_pages_message (MgAdminContext *ctx, guint status, const char *message)
{
  MgAdminReply *reply = mg_admin_pages_begin (ctx, status, MG_MSG_UI_TITLE);

  mg_admin_html_message (reply->body, message, status >= 400);
  mg_admin_html_printf (reply->body, "<p><a href=\"/items\">%s</a></p>", T (MG_MSG_UI_ITEMS));
  return mg_admin_pages_end (reply);
}

MgAdminReply *
mg_admin_pages_login (MgAdminContext *ctx, guint status, const char *message, const char *pre)
{
  MgAdminReply *reply = mg_admin_pages_begin (ctx, status, MG_MSG_UI_LOGIN);
  GString *out = reply->body;

  if (message != NULL)
    mg_admin_html_message (out, message, TRUE);
  mg_admin_html_printf (out,
                        "<section><form method=\"post\" action=\"/login\">"
                        "<p><label>%s<br><input name=\"user\" autocomplete=\"username\""
                        " required maxlength=\"32\"></label></p>"
                        "<p><label>%s<br><input name=\"password\" type=\"password\""
                        " autocomplete=\"current-password\" required></label></p>",
                        T (MG_MSG_UI_USER), T (MG_MSG_UI_PASSWORD));
  mg_admin_html_csrf (out, pre);
  mg_admin_html_printf (out, "<p><button>%s</button></p></form></section>",
                        T (MG_MSG_UI_LOGIN));
  return mg_admin_pages_end (reply);
}

MgAdminReply *
mg_admin_pages_store_failed (MgAdminContext *ctx, const GError *error)
{
  gboolean gone = error != NULL && error->domain == MG_QUARANTINE_ERROR &&
                  error->code == MG_QUARANTINE_ERROR_UNREACHABLE;

  return mg_admin_pages_message (ctx, MHD_HTTP_SERVICE_UNAVAILABLE,
                                 T (gone ? MG_MSG_UI_ERR_UNREACHABLE : MG_MSG_UI_ERR_TEMP));
}

static gboolean
one_of (const char *value, const char *const *choices)
{
  return value != NULL && g_strv_contains (choices, value);
}

static void
read_list_query (MgAdminContext *ctx, MgListQuery *q, MgQuarantineFilter *f)
{
  MgAdminRequest *r = ctx->request;
  g_autofree char *page = mg_admin_request_query (r, "page");

  q->text = mg_admin_request_query (r, "q");
  q->verdict = mg_admin_request_query (r, "verdict");
  q->state = mg_admin_request_query (r, "state");
  q->since = mg_admin_request_query (r, "since");
  q->until = mg_admin_request_query (r, "until");
  q->from = mg_admin_request_query (r, "from");
  q->to = mg_admin_request_query (r, "to");
  q->reason = mg_admin_request_query (r, "reason");
  q->all = mg_admin_request_query (r, "all");
  q->page = page != NULL ? (guint) CLAMP (g_ascii_strtoll (page, NULL, 10), 0, 100000) : 0;
  f->text = q->text != NULL && *q->text ? q->text : NULL;
  f->verdict = one_of (q->verdict, verdicts) ? q->verdict : NULL;
  f->state = one_of (q->state, states) ? q->state : NULL;
  f->sender = q->from != NULL && *q->from ? q->from : NULL;
  f->recipient = q->to != NULL && *q->to ? q->to : NULL;
  f->reason = q->reason != NULL && *q->reason ? q->reason : NULL;
  f->all = q->all != NULL || f->state != NULL;
  if (q->since == NULL || !mg_quarantine_query_parse_time (q->since, &f->since))
    f->since = 0;
  if (q->until == NULL || !mg_quarantine_query_parse_time (q->until, &f->until))
    f->until = 0;
  f->limit = MG_ADMIN_PAGE_SIZE;
  f->offset = q->page * MG_ADMIN_PAGE_SIZE;
}

static void
select_field (MgAdminContext *ctx, GString *out, const char *name, MgMsgId label,
              const char *value, const char *const *choices)
{
  mg_admin_html_printf (out, "<label>%s<select name=\"%s\"><option value=\"\">%s</option>",
                        T (label), name, T (MG_MSG_UI_ANY));
  for (int i = 0; choices[i] != NULL; i++)
    mg_admin_html_printf (out, "<option value=\"%s\"%s>%s</option>", choices[i],
                          g_strcmp0 (value, choices[i]) == 0 ? " selected" : "",
                          mg_admin_text_word (ctx->lang, choices[i]));
  g_string_append (out, "</select></label>");
}

static void
text_field (GString *out, const char *label, const char *name, const char *type,
            const char *value)
{
  mg_admin_html_printf (out, "<label>%s<input name=\"%s\" type=\"%s\" value=\"%s\"></label>",
                        label, name, type, value != NULL ? value : "");
}

/* A select of the reasons the index knows, shown in the UI's language. */
static void
reason_field (MgAdminContext *ctx, GString *out, const char *value)
{
  MgQuarantineFilter all = { .all = TRUE };
  g_autoptr (GPtrArray) rows = mg_quarantine_query_by_reason (ctx->server->store, &all, NULL);

  mg_admin_html_printf (out, "<label>%s<select name=\"reason\"><option value=\"\">%s</option>",
                        T (MG_MSG_UI_REASONS), T (MG_MSG_UI_ANY));
  for (guint i = 0; rows != NULL && i < rows->len; i++) {
    const MgQuarantineStatsRow *r = g_ptr_array_index (rows, i);
    g_autofree char *label = mg_admin_text_reasons (ctx->lang, r->label);
    mg_admin_html_printf (out, "<option value=\"%s\"%s>%s</option>", r->label,
                          g_strcmp0 (value, r->label) == 0 ? " selected" : "", label);
  }
  g_string_append (out, "</select></label>");
}

static void
filter_form (MgAdminContext *ctx, GString *out, const MgListQuery *q)
{
  g_string_append (out, "<form class=\"filters\" method=\"get\" action=\"/items\">");
  text_field (out, T (MG_MSG_UI_TEXT), "q", "search", q->text);
  select_field (ctx, out, "verdict", MG_MSG_UI_VERDICT, q->verdict, verdicts);
  select_field (ctx, out, "state", MG_MSG_UI_STATE, q->state, states);
  text_field (out, T (MG_MSG_UI_SINCE), "since", "date", q->since);
  text_field (out, T (MG_MSG_UI_UNTIL), "until", "date", q->until);
  text_field (out, T (MG_MSG_UI_FROM), "from", "text", q->from);
  text_field (out, T (MG_MSG_UI_TO), "to", "text", q->to);
  reason_field (ctx, out, q->reason);
  mg_admin_html_printf (out,
                        "<label><span><input type=\"checkbox\" name=\"all\" value=\"1\"%s>"
                        " %s</span></label><button>%s</button></form>\n",
                        q->all != NULL ? " checked" : "", T (MG_MSG_UI_SHOW_ALL),
                        T (MG_MSG_UI_SEARCH));
}

static void
item_row (MgAdminContext *ctx, GString *out, const MgQuarantineItem *it)
{
  g_autofree char *when = mg_quarantine_query_format_jst (it->time);
  g_autofree char *all_reasons = mg_admin_text_reasons (ctx->lang, it->reasons);
  g_autofree char *reasons = mg_admin_html_cut (all_reasons, MG_ADMIN_LIST_CHARS);
  g_autofree char *sender = mg_admin_html_cut (it->sender, MG_ADMIN_LIST_CHARS);
  g_autofree char *subject = mg_admin_html_cut (it->subject, MG_ADMIN_LIST_CHARS);

  mg_admin_html_printf (
      out,
      "<tr><td class=\"nowrap\">%s</td><td>%s</td>"
      "<td class=\"subject\"><a href=\"/items/%s\">%s</a></td>"
      "<td class=\"nowrap %s\">%s</td><td>%s</td><td class=\"nowrap\">%s</td>"
      "</tr>\n",
      when, sender != NULL ? sender : "-", it->id,
      subject != NULL && *subject ? subject : it->id, it->verdict,
      mg_admin_text_word (ctx->lang, it->verdict), *reasons != '\0' ? reasons : "-",
      mg_admin_text_word (ctx->lang, it->state));
}

static char *
page_link (const MgListQuery *q, guint page)
{
  const char *names[] = { "q",    "verdict", "state",  "since", "until",
                          "from", "to",      "reason", "all" };
  const char *values[] = { q->text, q->verdict, q->state,  q->since, q->until,
                           q->from, q->to,      q->reason, q->all };
  GString *link = g_string_new ("/items?");

  for (gsize i = 0; i < G_N_ELEMENTS (names); i++) {
    g_autofree char *v = NULL;
    if (values[i] == NULL || *values[i] == '\0')
      continue;
    v = g_uri_escape_string (values[i], NULL, FALSE);
    g_string_append_printf (link, "%s=%s&", names[i], v);
  }
  g_string_append_printf (link, "page=%u", page);
  return g_string_free (link, FALSE);
}

static void
pager (MgAdminContext *ctx, GString *out, const MgListQuery *q, gint64 total)
{
  g_autofree char *count = g_strdup_printf ("%" G_GINT64_FORMAT, total);
  g_autofree char *text = g_strdup_printf (T (MG_MSG_UI_COUNT), count);

  mg_admin_html_printf (out, "<p>%s ", text);
  if (q->page > 0) {
    g_autofree char *prev = page_link (q, q->page - 1);
    mg_admin_html_printf (out, "<a href=\"%s\">%s</a> ", prev, T (MG_MSG_UI_PREV));
  }
  if ((gint64) (q->page + 1) * MG_ADMIN_PAGE_SIZE < total) {
    g_autofree char *next = page_link (q, q->page + 1);
    mg_admin_html_printf (out, "<a href=\"%s\">%s</a>", next, T (MG_MSG_UI_NEXT));
  }
  mg_admin_html_printf (out, "</p><p class=\"note\">%s</p>\n", T (MG_MSG_UI_TZ_NOTE));
}

MgAdminReply *
mg_admin_pages_list (MgAdminContext *ctx)
{
  g_auto (MgListQuery) q = { 0 };
  MgQuarantineFilter filter = { 0 };
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) items = NULL;
  MgAdminReply *reply;
  gint64 total;

  read_list_query (ctx, &q, &filter);
  total = mg_quarantine_query_count (ctx->server->store, &filter, &error);
  items = total >= 0 ? mg_quarantine_query_list (ctx->server->store, &filter, &error) : NULL;
  if (items == NULL)
    return mg_admin_pages_store_failed (ctx, error);
  reply = mg_admin_pages_begin (ctx, MHD_HTTP_OK, MG_MSG_UI_ITEMS);
  filter_form (ctx, reply->body, &q);
  pager (ctx, reply->body, &q, total);
  mg_admin_html_printf (reply->body,
                        "<table><tr><th>%s</th><th>%s</th><th>%s</th>"
                        "<th>%s</th><th>%s</th><th>%s</th></tr>\n",
                        T (MG_MSG_UI_TIME), T (MG_MSG_UI_FROM), T (MG_MSG_UI_SUBJECT),
                        T (MG_MSG_UI_VERDICT), T (MG_MSG_UI_REASONS), T (MG_MSG_UI_STATE));
  for (guint i = 0; i < items->len; i++)
    item_row (ctx, reply->body, g_ptr_array_index (items, i));
  g_string_append (reply->body, "</table>\n");
  return mg_admin_pages_end (reply);
}

void
mg_admin_pages_confirm_form (MgAdminContext *ctx, GString *out, const char *what,
                             MgMsgId button, const char *back)
{
  mg_admin_html_printf (out, "<section><form method=\"post\" action=\"%s\">",
                        ctx->request->path);
  mg_admin_html_csrf (out, ctx->session->csrf);
  mg_admin_html_printf (out,
                        "<input type=\"hidden\" name=\"confirm\" value=\"%s\">"
                        "<button class=\"danger\">%s</button> <a href=\"%s\">%s</a>"
                        "</form></section>\n",
                        what, T (button), back, T (MG_MSG_UI_CANCEL));
}

MgAdminReply *
mg_admin_pages_purge_confirm (MgAdminContext *ctx)
{
  gint64 days = ctx->server->config->quarantine_retention_days;
  MgQuarantineFilter old = { .all = TRUE };
  g_autoptr (GError) error = NULL;
  g_autofree char *days_text = g_strdup_printf ("%" G_GINT64_FORMAT, days);
  g_autofree char *count = NULL;
  g_autofree char *ask = NULL;
  MgAdminReply *reply;
  gint64 n;

  if (g_strcmp0 (ctx->session->role, "approver") != 0)
    return mg_admin_pages_message (ctx, MHD_HTTP_FORBIDDEN, T (MG_MSG_UI_ERR_ROLE));
  old.until = g_get_real_time () / G_USEC_PER_SEC - days * 86400;
  if ((n = mg_quarantine_query_count (ctx->server->store, &old, &error)) < 0)
    return mg_admin_pages_message (ctx, MHD_HTTP_SERVICE_UNAVAILABLE, T (MG_MSG_UI_ERR_TEMP));
  count = g_strdup_printf ("%" G_GINT64_FORMAT, n);
  ask = g_strdup_printf (T (MG_MSG_UI_CONFIRM_PURGE_ASK), days_text, count);
  reply = mg_admin_pages_begin (ctx, MHD_HTTP_OK, MG_MSG_UI_CONFIRM_PURGE_TITLE);
  mg_admin_html_message (reply->body, ask, TRUE);
  mg_admin_pages_confirm_form (ctx, reply->body, "purge", MG_MSG_UI_CONFIRM_YES_PURGE,
                               "/stats");
  return mg_admin_pages_end (reply);
}
