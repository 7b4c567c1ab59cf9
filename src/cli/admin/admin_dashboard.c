/* admin_dashboard.c - inline SVG bars from quarantine_stats.
 *
 * Every name shown (virus names, reasons) came from mail: it goes through
 * mg_admin_html_printf, which escapes it.
 */
#include "cli/admin/admin_dashboard.h"

#include "cli/admin/admin_html.h"
#include "quarantine/quarantine_stats.h"

#define MG_DASH_WIDTH 720
#define MG_DASH_HEIGHT 180
#define MG_DASH_BOTTOM 20   /* room for the day labels */

static const char *
say (MgAdminContext *ctx, const char *ja, const char *en)
{
  return ctx->lang == MG_ADMIN_LANG_JA ? ja : en;
}

static gint64
day_count (JsonObject *days, const char *day, const char *key)
{
  JsonNode *node = json_object_get_member (days, day);

  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    return 0;
  return json_object_get_int_member_with_default (json_node_get_object (node), key, 0);
}

/* The days of the period, oldest first (JST). */
static GPtrArray *
period_days (GDateTime *now)
{
  GPtrArray *days = g_ptr_array_new_with_free_func (g_free);

  for (int i = MG_ADMIN_DASHBOARD_DAYS - 1; i >= 0; i--) {
    g_autoptr (GDateTime) d = g_date_time_add_days (now, -i);
    g_ptr_array_add (days, g_date_time_format (d, "%Y-%m-%d"));
  }
  return days;
}

static gint64
largest (JsonObject *days, GPtrArray *list)
{
  gint64 max = 1;

  for (guint i = 0; i < list->len; i++) {
    const char *d = g_ptr_array_index (list, i);
    max = MAX (max, day_count (days, d, "sanitised") + day_count (days, d, "withheld"));
    max = MAX (max, day_count (days, d, "files"));
  }
  return max;
}

static void
bar (MgAdminContext *ctx, GString *out, JsonObject *days, const char *day, guint i,
     gint64 max)
{
  gint64 s = day_count (days, day, "sanitised"), w = day_count (days, day, "withheld");
  gint64 f = day_count (days, day, "files");
  double unit = (double) (MG_DASH_HEIGHT - MG_DASH_BOTTOM) / (double) max;
  int step = MG_DASH_WIDTH / MG_ADMIN_DASHBOARD_DAYS, x = (int) i * step;
  int hs = (int) (s * unit), hw = (int) (w * unit), hf = (int) (f * unit);
  int base = MG_DASH_HEIGHT - MG_DASH_BOTTOM;

  mg_admin_html_printf (out, "<g class=\"day\" data-day=\"%s\" data-sanitised=\"%"
                        G_GINT64_FORMAT "\" data-withheld=\"%" G_GINT64_FORMAT
                        "\" data-files=\"%" G_GINT64_FORMAT "\"><title>%s %s %" G_GINT64_FORMAT
                        " / %s %" G_GINT64_FORMAT " / %s %" G_GINT64_FORMAT "</title>",
                        day, s, w, f, day, say (ctx, "無害化", "sanitised"), s,
                        say (ctx, "保留", "withheld"), w, say (ctx, "ファイル", "files"), f);
  mg_admin_html_printf (out,
                        "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"#4a7ab5\"/>"
                        "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"#c0392b\"/>"
                        "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"#8e8e8e\"/>",
                        x + 2, base - hs, step / 2 - 2, hs, x + 2, base - hs - hw, step / 2 - 2,
                        hw, x + step / 2, base - hf, step / 2 - 2, hf);
  if (i % 7 == 0)
    mg_admin_html_printf (out, "<text x=\"%d\" y=\"%d\" font-size=\"10\">%s</text>", x,
                          MG_DASH_HEIGHT - 6, day + 5);
  g_string_append (out, "</g>");
}

static void
chart (MgAdminContext *ctx, GString *out, JsonObject *stats)
{
  g_autoptr (GTimeZone) tz = g_time_zone_new_identifier ("+09:00");
  g_autoptr (GDateTime) now = g_date_time_new_now (tz);
  g_autoptr (GPtrArray) list = period_days (now);
  JsonObject *days = json_object_get_object_member (stats, "days");
  gint64 max = largest (days, list);

  mg_admin_html_printf (out, "<section class=\"dashboard\"><h2>%s</h2>"
                        "<p>%s: <svg width=\"10\" height=\"10\"><rect width=\"10\" height=\"10\" fill=\"#4a7ab5\"/></svg> %s "
                        "<svg width=\"10\" height=\"10\"><rect width=\"10\" height=\"10\" fill=\"#c0392b\"/></svg> %s "
                        "<svg width=\"10\" height=\"10\"><rect width=\"10\" height=\"10\" fill=\"#8e8e8e\"/></svg> %s (%s %" G_GINT64_FORMAT
                        ")</p>\n<svg class=\"chart\" role=\"img\" width=\"%d\" height=\"%d\""
                        " viewBox=\"0 0 %d %d\" xmlns=\"http://www.w3.org/2000/svg\">",
                        say (ctx, "日別のメールとファイル（直近 31 日、JST）",
                             "Mail and files per day (last 31 days, JST)"),
                        say (ctx, "凡例", "Legend"), say (ctx, "無害化", "sanitised"),
                        say (ctx, "保留", "withheld"), say (ctx, "ファイル", "files"),
                        say (ctx, "目盛りの最大", "scale max"), max, MG_DASH_WIDTH,
                        MG_DASH_HEIGHT, MG_DASH_WIDTH, MG_DASH_HEIGHT);
  for (guint i = 0; i < list->len; i++)
    bar (ctx, out, days, g_ptr_array_index (list, i), i, max);
  g_string_append (out, "</svg></section>\n");
}

static void
counts_table (MgAdminContext *ctx, GString *out, JsonObject *stats, const char *group,
              const char *ja, const char *en)
{
  JsonObject *g = json_object_get_object_member (stats, group);
  g_autoptr (GList) names = json_object_get_members (g);

  mg_admin_html_printf (out, "<section><h2>%s</h2><table class=\"%s\">\n",
                        say (ctx, ja, en), group);
  for (GList *l = names; l != NULL; l = l->next)
    mg_admin_html_printf (out, "<tr><td>%s</td><td class=\"n\">%" G_GINT64_FORMAT
                          "</td></tr>\n", (const char *) l->data,
                          json_object_get_int_member (g, l->data));
  if (names == NULL)
    mg_admin_html_printf (out, "<tr><td>%s</td></tr>\n", say (ctx, "なし", "none"));
  g_string_append (out, "</table></section>\n");
}

void
mg_admin_dashboard (MgAdminContext *ctx, GString *out)
{
  gint64 from = g_get_real_time () / G_USEC_PER_SEC -
                (gint64) (MG_ADMIN_DASHBOARD_DAYS + 1) * 24 * 3600;
  g_autoptr (GError) error = NULL;
  JsonObject *stats = mg_quarantine_stats_collect (
    ctx->server->config->quarantine_directory, from, G_MAXINT64, &error);

  if (stats == NULL)
    return;
  chart (ctx, out, stats);
  counts_table (ctx, out, stats, "messages", "メール（直近 31 日）", "Mail (last 31 days)");
  counts_table (ctx, out, stats, "files", "ファイル（直近 31 日）", "Files (last 31 days)");
  counts_table (ctx, out, stats, "viruses", "ウイルス名", "Viruses");
  counts_table (ctx, out, stats, "removals", "削除・保留の理由", "Removed or withheld, by reason");
  json_object_unref (stats);
}
