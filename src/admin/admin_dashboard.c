/* admin_dashboard.c - /stats (the period, the charts, the pending releases,
 * the retention period and the totals) and its CSV download.
 *
 * The period comes from the query string and is one of four fixed names;
 * anything else is the default. Every name shown (virus names, reasons,
 * senders, subjects) came from mail: it goes through mg_admin_html_printf,
 * which escapes it, or into a CSV cell that cannot start a formula.
 */
#include "admin/admin_dashboard.h"

#include "admin/admin_chart.h"
#include "admin/admin_html.h"
#include "admin/admin_pages.h"
#include "admin/admin_text.h"
#include "common/msg.h"
#include "quarantine/quarantine_item.h"
#include "quarantine/quarantine_query.h"
#include "quarantine/quarantine_release.h"
#include "quarantine/quarantine_report.h"
#include "quarantine/quarantine_stats.h"

typedef struct {
  const char *name;
  MgMsgId text;
} MgDashPeriodName;

static const MgDashPeriodName periods[] = {
  { "day", MG_MSG_UI_PERIOD_DAY },
  { "week", MG_MSG_UI_PERIOD_WEEK },
  { "month", MG_MSG_UI_PERIOD_MONTH },
  { "lastmonth", MG_MSG_UI_PERIOD_LASTMONTH },
};

typedef struct {
  const MgDashPeriodName *name;
  gint64 from, to; /* unix seconds, TO exclusive */
  GPtrArray *days; /* YYYY-MM-DD (JST), oldest first */
} MgDashPeriod;

static void
period_clear (MgDashPeriod *p)
{
  g_clear_pointer (&p->days, g_ptr_array_unref);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (MgDashPeriod, period_clear)

#define T(id) mg_msg ((id), ctx->lang)

/* The days from FIRST (midnight JST) to LAST, included. */
static void
period_fill (MgDashPeriod *p, GDateTime *first, GDateTime *last)
{
  g_autoptr (GDateTime) end = g_date_time_add_days (last, 1);

  p->days = g_ptr_array_new_with_free_func (g_free);
  p->from = g_date_time_to_unix (first);
  p->to = g_date_time_to_unix (end);
  for (g_autoptr (GDateTime) d = g_date_time_ref (first);
       g_date_time_compare (d, last) <= 0;) {
    GDateTime *next = g_date_time_add_days (d, 1);
    g_ptr_array_add (p->days, g_date_time_format (d, "%Y-%m-%d"));
    g_date_time_unref (d);
    d = next;
  }
}

static void
period_read (MgAdminContext *ctx, MgDashPeriod *p)
{
  g_autofree char *asked = mg_admin_request_query (ctx->request, "period");
  g_autoptr (GTimeZone) tz = g_time_zone_new_identifier ("+09:00");
  g_autoptr (GDateTime) now = g_date_time_new_now (tz);
  g_autoptr (GDateTime)
      today = g_date_time_new (tz, g_date_time_get_year (now), g_date_time_get_month (now),
                               g_date_time_get_day_of_month (now), 0, 0, 0);
  g_autoptr (GDateTime)
      this_month = g_date_time_add_days (today, 1 - g_date_time_get_day_of_month (today));
  g_autoptr (GDateTime) first = NULL;
  g_autoptr (GDateTime) last = NULL;

  p->name = &periods[2];
  for (guint i = 0; i < G_N_ELEMENTS (periods); i++)
    if (g_strcmp0 (asked, periods[i].name) == 0)
      p->name = &periods[i];
  if (g_str_equal (p->name->name, "lastmonth")) {
    first = g_date_time_add_months (this_month, -1);
    last = g_date_time_add_days (this_month, -1);
  } else {
    int n = g_str_equal (p->name->name, "day")    ? 1
            : g_str_equal (p->name->name, "week") ? 7
                                                  : MG_ADMIN_DASHBOARD_DAYS;
    first = g_date_time_add_days (today, 1 - n);
    last = g_date_time_ref (today);
  }
  period_fill (p, first, last);
}

static void
selector (MgAdminContext *ctx, GString *out, const MgDashPeriod *p)
{
  const char *first = g_ptr_array_index (p->days, 0);
  const char *last = g_ptr_array_index (p->days, p->days->len - 1);

  mg_admin_html_printf (out, "<section class=\"period\"><h2>%s</h2><p class=\"periods\">",
                        T (MG_MSG_UI_DASH_PERIOD));
  for (guint i = 0; i < G_N_ELEMENTS (periods); i++) {
    if (&periods[i] == p->name)
      mg_admin_html_printf (out, "<strong aria-current=\"page\">%s</strong> ",
                            T (periods[i].text));
    else
      mg_admin_html_printf (out, "<a href=\"/stats?period=%s\">%s</a> ", periods[i].name,
                            T (periods[i].text));
  }
  mg_admin_html_printf (
      out,
      "</p><p><span class=\"range\" data-from=\"%s\" data-to=\"%s\">"
      "%s 〜 %s（JST）</span> <a class=\"csv\" href=\"/stats.csv?period=%s\">"
      "%s</a></p></section>\n",
      first, last, first, last, p->name->name, T (MG_MSG_UI_DASH_CSV));
}

static void
counts_table (MgAdminContext *ctx, GString *out, JsonObject *stats, const char *group,
              gboolean fixed_keys)
{
  JsonObject *g = json_object_get_object_member (stats, group);
  g_autoptr (GList) names = g != NULL ? json_object_get_members (g) : NULL;
  gboolean ja = ctx->lang == MG_LANG_JA;

  mg_admin_html_printf (out, "<section><h2>%s</h2><table class=\"%s\">\n",
                        mg_quarantine_report_label (group, ja), group);
  for (GList *l = names; l != NULL; l = l->next) {
    const char *key = l->data;
    g_autofree char *reason = g_str_equal (group, "removals")
                                  ? mg_admin_text_reasons (ctx->lang, key)
                                  : NULL;
    const char *shown = reason != NULL ? reason
                        : fixed_keys   ? mg_quarantine_report_label (key, ja)
                                       : key;
    mg_admin_html_printf (out,
                          "<tr><td>%s</td><td class=\"n\">%" G_GINT64_FORMAT "</td></tr>\n",
                          shown, json_object_get_int_member (g, key));
  }
  if (names == NULL)
    mg_admin_html_printf (out, "<tr><td>%s</td></tr>\n", T (MG_MSG_UI_DASH_NONE));
  g_string_append (out, "</table></section>\n");
}

static void
pending_row (MgAdminContext *ctx, GString *out, const MgQuarantineItem *it)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (MgQuarantineRequest)
      r = mg_quarantine_release_pending (ctx->server->store, it->id, &error);
  g_autofree char *when = mg_quarantine_query_format_jst (it->time);
  g_autofree char *asked = r != NULL ? mg_quarantine_query_format_jst (r->requested_at)
                                     : g_strdup ("-");
  g_autofree char *subject = mg_admin_html_cut (it->subject, 60);
  g_autofree char *sender = mg_admin_html_cut (it->sender, 40);

  mg_admin_html_printf (
      out,
      "<tr class=\"pending-item\" data-id=\"%s\"><td class=\"nowrap\">"
      "%s</td><td><a href=\"/items/%s\">%s</a></td><td>%s</td><td>%s</td>"
      "<td>%s</td><td class=\"nowrap\">%s</td></tr>\n",
      it->id, when, it->id, subject != NULL && *subject != '\0' ? subject : it->id,
      sender != NULL ? sender : "-", r != NULL ? mg_admin_text_kind (ctx->lang, r->kind) : "-",
      r != NULL ? r->requested_by : "-", asked);
}

static void
pending (MgAdminContext *ctx, GString *out)
{
  MgQuarantineFilter filter = { .state = MG_QUARANTINE_STATE_PENDING,
                                .all = TRUE,
                                .limit = MG_ADMIN_DASHBOARD_PENDING };
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) items = mg_quarantine_query_list (ctx->server->store, &filter, &error);
  gint64 total = mg_quarantine_query_count (ctx->server->store, &filter, NULL);

  mg_admin_html_printf (out, "<section><h2>%s（%" G_GINT64_FORMAT " %s）</h2>",
                        T (MG_MSG_UI_DASH_WAITING), MAX (total, 0),
                        T (MG_MSG_UI_DASH_WAITING_COUNT));
  if (items == NULL || items->len == 0) {
    mg_admin_html_printf (out, "<p class=\"pending-none\">%s</p></section>\n",
                          T (MG_MSG_UI_DASH_NONE_WAITING));
    return;
  }
  mg_admin_html_printf (out,
                        "<table class=\"pending\"><tr><th>%s</th><th>%s</th><th>%s</th>"
                        "<th>%s</th><th>%s</th><th>%s</th></tr>\n",
                        T (MG_MSG_UI_DASH_RECEIVED), T (MG_MSG_UI_DASH_SUBJECT),
                        T (MG_MSG_UI_DASH_FROM), T (MG_MSG_UI_DASH_KIND),
                        T (MG_MSG_UI_DASH_REQUESTED_BY), T (MG_MSG_UI_DASH_REQUESTED));
  for (guint i = 0; i < items->len; i++)
    pending_row (ctx, out, g_ptr_array_index (items, i));
  g_string_append (out, "</table></section>\n");
}

/* The period selector, pending releases, charts and totals of /stats. */
static void
dashboard (MgAdminContext *ctx, GString *out)
{
  g_auto (MgDashPeriod) p = { 0 };
  g_autoptr (GError) error = NULL;
  JsonObject *stats;

  period_read (ctx, &p);
  selector (ctx, out, &p);
  pending (ctx, out);
  stats = mg_quarantine_stats_collect (ctx->server->config, p.from, p.to, &error);
  if (stats == NULL) {
    mg_admin_html_printf (out, "<p>%s</p>", T (MG_MSG_UI_DASH_NO_AUDIT_LOG));
    return;
  }
  mg_admin_chart_days (ctx, out, json_object_get_object_member (stats, "days"), p.days);
  mg_admin_chart_weeks (ctx, out, json_object_get_object_member (stats, "days"), p.days);
  mg_admin_chart_removals (ctx, out, json_object_get_object_member (stats, "removals"));
  counts_table (ctx, out, stats, "messages", TRUE);
  counts_table (ctx, out, stats, "files", TRUE);
  counts_table (ctx, out, stats, "viruses", FALSE);
  counts_table (ctx, out, stats, "removals", FALSE);
  counts_table (ctx, out, stats, "ppap", TRUE);
  counts_table (ctx, out, stats, "releases", TRUE);
  json_object_unref (stats);
}

static void
stats_table (MgAdminContext *ctx, GString *out, GPtrArray *rows, MgMsgId title, MgMsgId first)
{
  mg_admin_html_printf (out,
                        "<section><h2>%s</h2><table><tr><th>%s</th><th>%s</th>"
                        "<th>%s</th><th>%s</th><th>%s</th></tr>\n",
                        T (title), T (first), T (MG_MSG_UI_TOTAL), T (MG_MSG_UI_WITHHELD),
                        T (MG_MSG_UI_SANITISED), T (MG_MSG_UI_RELEASED));
  for (guint i = 0; i < rows->len; i++) {
    const MgQuarantineStatsRow *r = g_ptr_array_index (rows, i);
    g_autofree char *label = mg_admin_text_reasons (ctx->lang, r->label);
    mg_admin_html_printf (out,
                          "<tr><td>%s</td><td>%" G_GINT64_FORMAT "</td><td>%" G_GINT64_FORMAT
                          "</td><td>%" G_GINT64_FORMAT "</td><td>%" G_GINT64_FORMAT
                          "</td></tr>\n",
                          label, r->total, r->withheld, r->sanitised, r->released);
  }
  g_string_append (out, "</table></section>\n");
}

static void
retention (MgAdminContext *ctx, GString *out)
{
  g_autofree char *days = g_strdup_printf ("%" G_GINT64_FORMAT,
                                           ctx->server->config->quarantine_retention_days);
  g_autofree char *text = g_strdup_printf (T (MG_MSG_UI_RETENTION), days);

  mg_admin_html_printf (out, "<section><p>%s</p>", text);
  if (g_strcmp0 (ctx->session->role, "approver") == 0) {
    mg_admin_html_printf (out,
                          "<form method=\"get\" action=\"/purge\"><button"
                          " class=\"danger\">%s</button></form>",
                          T (MG_MSG_UI_PURGE));
  }
  g_string_append (out, "</section>\n");
}

MgAdminReply *
mg_admin_dashboard_page (MgAdminContext *ctx)
{
  MgQuarantineFilter filter = { 0 };
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray)
      by_day = mg_quarantine_query_by_day (ctx->server->store, &filter, &error);
  g_autoptr (GPtrArray) by_reason = NULL;
  MgAdminReply *reply;

  if (by_day != NULL)
    by_reason = mg_quarantine_query_by_reason (ctx->server->store, &filter, &error);
  if (by_reason == NULL)
    return mg_admin_pages_store_failed (ctx, error);
  reply = mg_admin_pages_begin (ctx, MHD_HTTP_OK, MG_MSG_UI_STATS);
  dashboard (ctx, reply->body);
  retention (ctx, reply->body);
  stats_table (ctx, reply->body, by_day, MG_MSG_UI_BY_DAY, MG_MSG_UI_DAY);
  stats_table (ctx, reply->body, by_reason, MG_MSG_UI_BY_REASON, MG_MSG_UI_REASONS);
  mg_admin_html_printf (reply->body, "<p class=\"note\">%s</p>", T (MG_MSG_UI_TZ_NOTE));
  return mg_admin_pages_end (reply);
}

MgAdminReply *
mg_admin_dashboard_csv (MgAdminContext *ctx)
{
  g_auto (MgDashPeriod) p = { 0 };
  g_autoptr (GError) error = NULL;
  JsonObject *stats;
  MgAdminReply *reply;
  g_autofree char *csv = NULL;

  period_read (ctx, &p);
  stats = mg_quarantine_stats_collect (ctx->server->config, p.from, p.to, &error);
  if (stats == NULL)
    return mg_admin_pages_message (ctx, MHD_HTTP_NOT_FOUND, T (MG_MSG_UI_DASH_NO_AUDIT_LOG));
  csv = mg_quarantine_report_csv (stats, ctx->lang == MG_LANG_JA);
  json_object_unref (stats);
  reply = mg_admin_reply_new (MHD_HTTP_OK);
  reply->content_type = "text/csv; charset=utf-8";
  reply->disposition = g_strdup_printf (
      "attachment; filename=\"mugai-report-%s-%s.csv\"",
      (const char *) g_ptr_array_index (p.days, 0),
      (const char *) g_ptr_array_index (p.days, p.days->len - 1));
  g_string_assign (reply->body, csv);
  return reply;
}
