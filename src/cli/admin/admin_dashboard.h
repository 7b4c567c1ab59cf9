/* admin_dashboard.h - the figures of `mugai report` as charts on /stats.
 *
 * Messages per day (JST) over the last MG_ADMIN_DASHBOARD_DAYS days, stacked
 * by verdict, and files per day, drawn server-side as inline SVG (no script:
 * the strict CSP stays), with viruses by name and removals by reason as
 * tables. Each bar carries its numbers (data-day, data-sanitised,
 * data-withheld, data-files) and a <title> for the tooltip.
 */
#pragma once
#include <glib.h>

#include "cli/admin/admin_pages.h"

#define MG_ADMIN_DASHBOARD_DAYS 31

/* Append the dashboard's sections to OUT. */
void mg_admin_dashboard (MgAdminContext *ctx, GString *out);
