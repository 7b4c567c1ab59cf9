/* admin_chart.h - the dashboard's charts as inline SVG (no script).
 *
 * Each bar carries its numbers as data- attributes and a <title> for the
 * tooltip, so that what is drawn can be read back and checked:
 *   days:     <g class="day" data-day data-sanitised data-withheld data-files>
 *   weeks:    <g class="week" data-week (its Monday) data-detections>
 *   removals: <g class="removal" data-reason data-count>
 * Every name drawn (reasons) is escaped by mg_admin_html_printf.
 */
#pragma once
#include <glib.h>
#include <json-glib/json-glib.h>

#include "admin/admin_pages.h"

/* Messages per day stacked by verdict, beside files per day. DAYS is the
 * "days" group of the totals, LIST the days shown (YYYY-MM-DD, oldest first). */
void mg_admin_chart_days (MgAdminContext *ctx, GString *out, JsonObject *days,
                          GPtrArray *list);

/* Virus detections per week (Monday to Sunday) of the days of LIST. */
void mg_admin_chart_weeks (MgAdminContext *ctx, GString *out, JsonObject *days,
                           GPtrArray *list);

/* Removed or withheld parts and files by reason, most frequent first. */
void mg_admin_chart_removals (MgAdminContext *ctx, GString *out, JsonObject *removals);
