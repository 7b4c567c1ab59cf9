/* admin_chart.c - bars drawn server-side as inline SVG.
 *
 * Every name shown (reasons) came from the audit log: it goes through
 * mg_admin_html_printf, which escapes it.
 */
#include "admin/admin_chart.h"

#include "admin/admin_html.h"
#include "common/msg.h"

#define MG_CHART_WIDTH 720
#define MG_CHART_HEIGHT 180
#define MG_CHART_BOTTOM 20 /* room for the labels under the bars */
#define MG_CHART_ROW 22    /* height of one removal bar */
#define MG_CHART_LABEL 300 /* room for the reason left of a removal bar */

#define MG_COLOUR_SANITISED "#4a7ab5"
#define MG_COLOUR_WITHHELD "#c0392b"
#define MG_COLOUR_FILES "#8e8e8e"
#define MG_COLOUR_VIRUS "#8e44ad"
#define MG_COLOUR_REMOVAL "#d68910"

#define T(id) mg_msg ((id), ctx->lang)

static gint64
day_count (JsonObject *days, const char *day, const char *key)
{
  JsonNode *node = days != NULL ? json_object_get_member (days, day) : NULL;

  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    return 0;
  return json_object_get_int_member_with_default (json_node_get_object (node), key, 0);
}

static void
swatch (GString *out, const char *colour, const char *name)
{
  mg_admin_html_printf (out,
                        "<svg width=\"10\" height=\"10\"><rect width=\"10\" height=\"10\""
                        " fill=\"%s\"/></svg> %s ",
                        colour, name);
}

static void
svg_begin (GString *out, const char *class, int width, int height)
{
  mg_admin_html_printf (out,
                        "<svg class=\"%s\" role=\"img\" width=\"%d\" height=\"%d\""
                        " viewBox=\"0 0 %d %d\" xmlns=\"http://www.w3.org/2000/svg\">",
                        class, width, height, width, height);
}

static void
rect (GString *out, int x, int y, int w, int h, const char *colour)
{
  mg_admin_html_printf (out,
                        "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"%s\"/>", x,
                        y, MAX (w, 1), h, colour);
}

static int
scaled (gint64 n, gint64 max, int room)
{
  return n > 0 ? MAX (1, (int) ((double) n * room / (double) max)) : 0;
}

static void
day_bar (MgAdminContext *ctx, GString *out, JsonObject *days, const char *day, guint i,
         guint n, gint64 max)
{
  gint64 s = day_count (days, day, "sanitised"), w = day_count (days, day, "withheld");
  gint64 f = day_count (days, day, "files");
  int room = MG_CHART_HEIGHT - MG_CHART_BOTTOM, step = MG_CHART_WIDTH / (int) MAX (n, 7);
  int x = (int) i * step, hs = scaled (s, max, room), hw = scaled (w, max, room);
  int hf = scaled (f, max, room);

  mg_admin_html_printf (out,
                        "<g class=\"day\" data-day=\"%s\" data-sanitised=\"%" G_GINT64_FORMAT
                        "\" data-withheld=\"%" G_GINT64_FORMAT
                        "\" data-files=\"%" G_GINT64_FORMAT "\"><title>%s %s %" G_GINT64_FORMAT
                        " / %s %" G_GINT64_FORMAT " / %s %" G_GINT64_FORMAT "</title>",
                        day, s, w, f, day, T (MG_MSG_UI_CHART_SANITISED), s,
                        T (MG_MSG_UI_CHART_WITHHELD), w, T (MG_MSG_UI_CHART_FILES), f);
  rect (out, x + 2, room - hs, step / 2 - 2, hs, MG_COLOUR_SANITISED);
  rect (out, x + 2, room - hs - hw, step / 2 - 2, hw, MG_COLOUR_WITHHELD);
  rect (out, x + step / 2, room - hf, step / 2 - 2, hf, MG_COLOUR_FILES);
  if (n <= 7 || i % 7 == 0)
    mg_admin_html_printf (out, "<text x=\"%d\" y=\"%d\" font-size=\"10\">%s</text>", x,
                          MG_CHART_HEIGHT - 6, day + 5);
  g_string_append (out, "</g>");
}

void
mg_admin_chart_days (MgAdminContext *ctx, GString *out, JsonObject *days, GPtrArray *list)
{
  gint64 max = 1;

  for (guint i = 0; i < list->len; i++) {
    const char *d = g_ptr_array_index (list, i);
    max = MAX (max, day_count (days, d, "sanitised") + day_count (days, d, "withheld"));
    max = MAX (max, day_count (days, d, "files"));
  }
  mg_admin_html_printf (out, "<section class=\"dashboard\"><h2>%s</h2><p>",
                        T (MG_MSG_UI_CHART_PER_DAY));
  swatch (out, MG_COLOUR_SANITISED, T (MG_MSG_UI_CHART_MAIL_SANITISED));
  swatch (out, MG_COLOUR_WITHHELD, T (MG_MSG_UI_CHART_MAIL_WITHHELD));
  swatch (out, MG_COLOUR_FILES, T (MG_MSG_UI_CHART_FILES_IN));
  mg_admin_html_printf (out, "（%s %" G_GINT64_FORMAT "）</p>\n",
                        T (MG_MSG_UI_CHART_SCALE_MAX), max);
  svg_begin (out, "chart", MG_CHART_WIDTH, MG_CHART_HEIGHT);
  for (guint i = 0; i < list->len; i++)
    day_bar (ctx, out, days, g_ptr_array_index (list, i), i, list->len, max);
  g_string_append (out, "</svg></section>\n");
}

/* The Monday of DAY (YYYY-MM-DD), as YYYY-MM-DD. */
static char *
monday_of (const char *day)
{
  g_autoptr (GDate) d = g_date_new ();

  g_date_set_parse (d, day);
  if (!g_date_valid (d))
    return g_strdup (day);
  g_date_subtract_days (d, g_date_get_weekday (d) - G_DATE_MONDAY);
  return g_strdup_printf ("%04d-%02d-%02d", g_date_get_year (d), g_date_get_month (d),
                          g_date_get_day (d));
}

static void
week_bar (MgAdminContext *ctx, GString *out, const char *week, gint64 n, guint i, guint weeks,
          gint64 max)
{
  int room = MG_CHART_HEIGHT - MG_CHART_BOTTOM, step = MG_CHART_WIDTH / (int) MAX (weeks, 6);
  int h = scaled (n, max, room), x = (int) i * step;

  mg_admin_html_printf (
      out,
      "<g class=\"week\" data-week=\"%s\" data-detections=\"%" G_GINT64_FORMAT
      "\"><title>%s %s: %" G_GINT64_FORMAT "</title>",
      week, n, week, T (MG_MSG_UI_CHART_WEEK_VIRUSES), n);
  rect (out, x + 4, room - h, step - 8, h, MG_COLOUR_VIRUS);
  mg_admin_html_printf (
      out,
      "<text x=\"%d\" y=\"%d\" font-size=\"10\">%s〜</text>"
      "<text x=\"%d\" y=\"%d\" font-size=\"11\">%" G_GINT64_FORMAT "</text></g>",
      x + 4, MG_CHART_HEIGHT - 6, week + 5, x + 6, MAX (room - h - 3, 11), n);
}

void
mg_admin_chart_weeks (MgAdminContext *ctx, GString *out, JsonObject *days, GPtrArray *list)
{
  g_autoptr (GPtrArray) weeks = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GArray) counts = g_array_new (FALSE, TRUE, sizeof (gint64));
  gint64 max = 1;

  for (guint i = 0; i < list->len; i++) {
    char *week = monday_of (g_ptr_array_index (list, i));
    gint64 zero = 0;
    if (weeks->len == 0 || !g_str_equal (g_ptr_array_index (weeks, weeks->len - 1), week)) {
      g_ptr_array_add (weeks, week);
      g_array_append_val (counts, zero);
    } else {
      g_free (week);
    }
    g_array_index (counts, gint64, counts->len - 1) += day_count (
        days, g_ptr_array_index (list, i), "detections");
  }
  for (guint i = 0; i < counts->len; i++)
    max = MAX (max, g_array_index (counts, gint64, i));
  mg_admin_html_printf (out, "<section class=\"dashboard\"><h2>%s</h2>\n",
                        T (MG_MSG_UI_CHART_VIRUSES_PER_WEEK));
  svg_begin (out, "weeks", MG_CHART_WIDTH, MG_CHART_HEIGHT);
  for (guint i = 0; i < weeks->len; i++)
    week_bar (ctx, out, g_ptr_array_index (weeks, i), g_array_index (counts, gint64, i), i,
              weeks->len, max);
  g_string_append (out, "</svg></section>\n");
}

static gint
by_count (gconstpointer a, gconstpointer b, gpointer data)
{
  gint64 x = json_object_get_int_member (data, *(const char *const *) a);
  gint64 y = json_object_get_int_member (data, *(const char *const *) b);

  return x > y ? -1 : x < y;
}

void
mg_admin_chart_removals (MgAdminContext *ctx, GString *out, JsonObject *removals)
{
  g_autoptr (GList) names = json_object_get_members (removals);
  g_autoptr (GPtrArray) list = g_ptr_array_new ();
  gint64 max = 1;

  for (GList *l = names; l != NULL; l = l->next) {
    g_ptr_array_add (list, l->data);
    max = MAX (max, json_object_get_int_member (removals, l->data));
  }
  g_ptr_array_sort_with_data (list, by_count, removals);
  mg_admin_html_printf (out, "<section class=\"dashboard\"><h2>%s</h2>\n",
                        T (MG_MSG_UI_CHART_REMOVALS));
  if (list->len == 0)
    mg_admin_html_printf (out, "<p>%s</p>", T (MG_MSG_UI_CHART_NONE));
  svg_begin (out, "removals", MG_CHART_WIDTH, MAX (1, (int) list->len) * MG_CHART_ROW);
  for (guint i = 0; i < list->len; i++) {
    const char *reason = g_ptr_array_index (list, i);
    gint64 n = json_object_get_int_member (removals, reason);
    g_autofree char *label = mg_admin_text_reasons (ctx->lang, reason);
    int y = (int) i * MG_CHART_ROW, w = scaled (n, max, MG_CHART_WIDTH - MG_CHART_LABEL - 40);
    mg_admin_html_printf (
        out,
        "<g class=\"removal\" data-reason=\"%s\" data-count=\"%" G_GINT64_FORMAT
        "\"><title>%s: %" G_GINT64_FORMAT "</title>"
        "<text x=\"0\" y=\"%d\" font-size=\"12\">%s</text>",
        reason, n, label, n, y + 15, label);
    rect (out, MG_CHART_LABEL, y + 3, w, MG_CHART_ROW - 6, MG_COLOUR_REMOVAL);
    mg_admin_html_printf (
        out, "<text x=\"%d\" y=\"%d\" font-size=\"12\">%" G_GINT64_FORMAT "</text></g>",
        MG_CHART_LABEL + w + 4, y + 15, n);
  }
  g_string_append (out, "</svg></section>\n");
}
