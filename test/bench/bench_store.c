/* bench_store.c - the quarantine store: held-mail stores per second and admin
 * list queries, for the backend of a configuration (SQLite or PostgreSQL).
 *
 * Usage: bench_store CONFIG ITEMS STORES
 * Fills the index to ITEMS rows (rows only: list queries read no object),
 * then stores STORES held mails through mg_quarantine_store_put (original and
 * report compressed, the index row and the audit line, as mugai-milter does)
 * and times each; then runs each list query (50 rows, newest first, as the
 * web UI's first page) 20 times. Prints Markdown rows. Not a test.
 * test/bench/run-store.py runs it on both backends.
 */
#include <stdio.h>
#include <stdlib.h>

#include "quarantine/quarantine_query.h"
#include "quarantine/quarantine_store.h"

#define BENCH_QUERY_ROUNDS 20
#define BENCH_FILL_BATCH 5000

static const char report_fmt[] =
    "{\"id\":\"%s\",\"verdict\":\"%s\",\"from\":\"sender%u@example.co.jp\","
    "\"subject\":\"請求書 %u\",\"reason\":\"%s\",\"to\":\"somu@city.example.lg.jp\"}";

static int
compare_double (const void *a, const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return x < y ? -1 : x > y;
}

static double
median_ms (GArray *times)
{
  g_array_sort (times, compare_double);
  return times->len ? g_array_index (times, double, times->len / 2) : 0;
}

static char *
bench_id (guint n, gint64 t)
{
  g_autoptr (GDateTime) dt = g_date_time_new_from_unix_utc (t);
  g_autofree char *stamp = g_date_time_format (dt, "%Y%m%dT%H%M%SZ");

  return g_strdup_printf ("%s-%08x", stamp, n);
}

/* ITEMS index rows, spread over the last 30 days, in batches of one
 * transaction each. */
static gboolean
fill (MgQuarantineStore *store, guint items)
{
  MgQuarantineIndex *index = mg_quarantine_store_index (store);
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  static const char *const reasons[] = { "virus found", "executable", "macro", NULL };
  g_autoptr (GError) error = NULL;

  for (guint n = 0; n < items; n++) {
    g_autofree char *id = bench_id (0x80000000u + n, now - 30 * 86400 + n % (30 * 86400));
    g_autofree char *subject = g_strdup_printf ("請求書 %u", n);
    g_autofree char *sender = g_strdup_printf ("sender%u@example.co.jp", n % 1000);
    const char *one_reason[] = { reasons[n % 3], NULL };
    MgQuarantineItem item = { .id = id,
                              .time = now - 30 * 86400 + n % (30 * 86400),
                              .sender = sender,
                              .sender_address = sender,
                              .recipients = "somu@city.example.lg.jp",
                              .subject = subject,
                              .verdict = n % 2 ? "withheld" : "sanitised",
                              .held = TRUE,
                              .reasons = (char *) reasons[n % 3],
                              .size = 20000,
                              .state = "held" };
    if (n % BENCH_FILL_BATCH == 0 && !mg_quarantine_index_begin (index, &error))
      break;
    if (!mg_quarantine_index_insert (index, &item, one_reason, &error))
      break;
    if ((n % BENCH_FILL_BATCH == BENCH_FILL_BATCH - 1 || n == items - 1) &&
        !mg_quarantine_index_commit (index, &error))
      break;
  }
  if (error != NULL)
    fprintf (stderr, "fill: %s\n", error->message);
  return error == NULL;
}

static GBytes *
original_of (guint n)
{
  GString *s = g_string_new (NULL);

  g_string_append_printf (s,
                          "From: sender@example.co.jp\r\nTo: somu@city.example.lg.jp\r\n"
                          "Subject: bench %u\r\nMessage-ID: <bench-%u@example.co.jp>\r\n\r\n",
                          n, n);
  for (guint i = 0; i < 400; i++) /* about 20 KB, half of it compressible */
    g_string_append_printf (s, "%08x line %u of a held mail %u\r\n", g_random_int (), i, n);
  return g_string_free_to_bytes (s);
}

static void
stores (const MgConfig *config, guint count)
{
  g_autoptr (GArray) times = g_array_new (FALSE, FALSE, sizeof (double));
  gint64 start = g_get_monotonic_time ();

  for (guint n = 0; n < count; n++) {
    g_autofree char *id = bench_id (g_random_int (), g_get_real_time () / G_USEC_PER_SEC);
    g_autofree char *report = g_strdup_printf (report_fmt, id, "withheld", n, n,
                                               "virus found");
    g_autoptr (GBytes) original = original_of (n);
    g_autoptr (GError) error = NULL;
    gint64 t0 = g_get_monotonic_time ();
    double ms;
    MgQuarantinePut put = { id, original, NULL, report, TRUE, NULL, NULL, NULL };
    if (!mg_quarantine_store_put (config, &put, &error)) {
      fprintf (stderr, "store: %s\n", error->message);
      return;
    }
    ms = (g_get_monotonic_time () - t0) / 1000.0;
    g_array_append_val (times, ms);
  }
  printf ("| stores | %u | %.1f/s | p50 %.2f ms |\n", count,
          count / ((g_get_monotonic_time () - start) / 1e6), median_ms (times));
}

static void
query (MgQuarantineStore *store, const char *label, const MgQuarantineFilter *filter)
{
  g_autoptr (GArray) times = g_array_new (FALSE, FALSE, sizeof (double));
  guint rows = 0;

  for (int r = 0; r < BENCH_QUERY_ROUNDS; r++) {
    g_autoptr (GError) error = NULL;
    gint64 t0 = g_get_monotonic_time ();
    g_autoptr (GPtrArray) items = mg_quarantine_query_list (store, filter, &error);
    gint64 total = mg_quarantine_query_count (store, filter, &error);
    double ms = (g_get_monotonic_time () - t0) / 1000.0;
    if (items == NULL || total < 0) {
      fprintf (stderr, "%s: %s\n", label, error != NULL ? error->message : "?");
      return;
    }
    rows = items->len;
    g_array_append_val (times, ms);
  }
  printf ("| list %s | %u rows | p50 %.2f ms | (page and count) |\n", label, rows,
          median_ms (times));
}

int
main (int argc, char **argv)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (MgConfig) config = NULL;
  g_autoptr (MgQuarantineStore) store = NULL;
  guint items, count;

  if (argc != 4) {
    fprintf (stderr, "usage: bench_store CONFIG ITEMS STORES\n");
    return 64;
  }
  config = mg_config_load (argv[1], &error);
  store = config != NULL ? mg_quarantine_store_open (config, &error) : NULL;
  if (store == NULL) {
    fprintf (stderr, "bench_store: %s\n", error->message);
    return 75;
  }
  items = (guint) atoi (argv[2]);
  count = (guint) atoi (argv[3]);
  if (!fill (store, items))
    return 75;
  stores (config, count);
  {
    gint64 week = g_get_real_time () / G_USEC_PER_SEC - 7 * 86400;
    MgQuarantineFilter all = { .limit = 50 };
    MgQuarantineFilter withheld = { .limit = 50, .verdict = "withheld" };
    MgQuarantineFilter since = { .limit = 50, .since = week };
    MgQuarantineFilter sender = { .limit = 50, .sender = "sender42@" };
    MgQuarantineFilter reason = { .limit = 50, .reason = "macro" };
    MgQuarantineFilter text = { .limit = 50, .text = "請求書 4242" };
    MgQuarantineFilter page = { .limit = 50, .offset = 5000 };
    query (store, "first page", &all);
    query (store, "verdict=withheld", &withheld);
    query (store, "last 7 days", &since);
    query (store, "from contains", &sender);
    query (store, "reason contains", &reason);
    query (store, "text search", &text);
    query (store, "page 101", &page);
  }
  return 0;
}
