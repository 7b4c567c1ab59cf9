/* admin_dashboard.h - the figures of `mugai report` as charts on /stats.
 *
 * For the period chosen with ?period= (day: today; week: the last 7 days;
 * month: the last 31 days, the default; lastmonth: the previous calendar
 * month; all in JST): messages per day stacked by verdict beside files per
 * day, virus detections per week, removals by reason (admin_chart.h), the
 * releases waiting for an approver, and the totals as tables. /stats.csv
 * with the same ?period= gives the same totals as `mugai report --format
 * csv` for that period (quarantine_report.h).
 */
#pragma once
#include <glib.h>

#include "admin/admin_pages.h"

#define MG_ADMIN_DASHBOARD_DAYS 31
#define MG_ADMIN_DASHBOARD_PENDING 50 /* pending releases listed */

/* /stats: the dashboard's sections, the retention period (and, for an
 * approver, the purge button), and the totals by day and by reason. */
MgAdminReply *mg_admin_dashboard_page (MgAdminContext *ctx);

/* /stats.csv: the totals of the period as a CSV download. */
MgAdminReply *mg_admin_dashboard_csv (MgAdminContext *ctx);
